package ccda

import "strings"

// narrative renders a section's <text> block as plain text: paragraphs and
// list items as lines, table rows as tab-separated cells.
func narrative(text *node) string {
	if text == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		switch n.name {
		case "tr":
			var cells []string
			for _, cell := range n.children {
				if cell.name == "td" || cell.name == "th" {
					cells = append(cells, cell.innerText())
				}
			}
			b.WriteString(strings.Join(cells, "\t"))
			b.WriteByte('\n')
			return
		case "br":
			b.WriteByte('\n')
			return
		}
		if t := strings.Join(strings.Fields(n.text), " "); t != "" {
			b.WriteString(t)
			b.WriteByte(' ')
		}
		for _, c := range n.children {
			walk(c)
		}
		switch n.name {
		case "paragraph", "item", "caption", "content":
			if n.name != "content" {
				b.WriteByte('\n')
			}
		}
	}
	walk(text)
	lines := strings.Split(b.String(), "\n")
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
