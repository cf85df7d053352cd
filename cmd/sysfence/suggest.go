package main

import (
	"slices"
	"strings"

	"github.com/sysfence/seccomp/tables"
)

// didYouMean returns " (did you mean A or B?)" naming the candidates
// nearest to s by edit distance, ignoring case, or "" when none is near.
// Every suggestion sysfence makes, for commands, flags, system calls,
// errno names and capabilities, reads alike through it.
func didYouMean(s string, candidates []string) string {
	return suggestion(nearest(s, candidates, 3))
}

// suggestion phrases names as a suggestion, or "" for none.
func suggestion(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " (did you mean " + names[0] + "?)"
	}
	return " (did you mean " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + "?)"
}

// nearest returns up to n of the candidates nearest to s, all at the
// same edit distance, within a third of its length (at least 2).
func nearest(s string, candidates []string, n int) []string {
	type cand struct {
		name string
		dist int
	}
	limit := max(2, len(s)/3)
	var near []cand
	for _, c := range candidates {
		if d := tables.EditDistance(strings.ToLower(s), strings.ToLower(c)); d <= limit && !slices.ContainsFunc(near, func(x cand) bool { return x.name == c }) {
			near = append(near, cand{c, d})
		}
	}
	slices.SortStableFunc(near, func(a, b cand) int { return a.dist - b.dist })
	var out []string
	for _, c := range near {
		if len(out) == n || c.dist > near[0].dist {
			break
		}
		out = append(out, c.name)
	}
	return out
}
