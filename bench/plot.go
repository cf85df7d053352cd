package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// series is one line of a plot.
type series struct {
	name   string
	color  string
	dashed bool
	y      []float64 // one per sweep size; NaN for none
}

var palette = map[string]string{
	"sysfence": "#d62728", "libseccomp": "#1f77b4", "libseccomp tree": "#17becf",
	"gVisor": "#2ca02c", "elastic": "#9467bd", "floor": "#555555",
}

// writeSVG draws two panels against N, all axes logarithmic: mean
// instructions run (the linear chains run hundreds), and compile time in
// µs.
func writeSVG(w io.Writer, sizes []int, steps, compile []series) error {
	const W, H, panelW = 1060, 420, 440
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	panel(&b, 60, "mean instructions run (x86_64 numbers 0..471, log scale)", sizes, steps, true)
	panel(&b, 60+panelW+90, "compile time, median CPU (µs, log scale)", sizes, compile, true)
	// Legend.
	x := 60
	for _, s := range steps {
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`, x, H-15, x+20, H-15, s.color, dash(s.dashed))
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", x+25, H-11, s.name)
		x += 35 + 8*len(s.name)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(d bool) string {
	if d {
		return ` stroke-dasharray="5,4"`
	}
	return ""
}

// panel draws one plot 440×300 at x0, top 40.
func panel(b *strings.Builder, x0 int, title string, sizes []int, ss []series, logY bool) {
	const top, pw, ph = 40, 440, 300
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, y := range s.y {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				lo, hi = min(lo, y), max(hi, y)
			}
		}
	}
	tr := func(y float64) float64 { return y }
	if logY {
		tr = math.Log10
		lo, hi = math.Floor(math.Log10(lo)*2)/2, math.Ceil(math.Log10(hi)*2)/2
	} else {
		lo, hi = 0, math.Ceil(hi/5)*5
	}
	if hi <= lo {
		hi = lo + 1
	}
	xl, xh := math.Log2(float64(sizes[0])), math.Log2(float64(sizes[len(sizes)-1]))
	px := func(n int) float64 { return float64(x0) + (math.Log2(float64(n))-xl)/(xh-xl)*pw }
	py := func(y float64) float64 { return top + ph - (tr(y)-lo)/(hi-lo)*ph }
	fmt.Fprintf(b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", x0, top-15, title)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", x0, top, pw, ph)
	for _, n := range sizes {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`, px(n), top+ph+15, n)
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">N (calls allowed)</text>`+"\n", x0+pw/2, top+ph+32)
	for i := 0; i <= 5; i++ {
		v := lo + (hi-lo)*float64(i)/5
		label := fmt.Sprintf("%g", v)
		if logY {
			label = fmt.Sprintf("%.3g", math.Pow(10, v))
		}
		y := top + ph - float64(i)/5*ph
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", x0, y, x0+pw, y, x0-4, y+4, label)
	}
	for _, s := range ss {
		var pts []string
		for i, y := range s.y {
			if math.IsNaN(y) || y <= 0 && logY {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(sizes[i]), py(y)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", s.color, dash(s.dashed), strings.Join(pts, " "))
	}
}
