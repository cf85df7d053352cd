package main

import (
	"slices"
	"strings"
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
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d <= limit && !slices.ContainsFunc(near, func(x cand) bool { return x.name == c }) {
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

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
