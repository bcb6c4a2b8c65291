package policy

import "fmt"

// FormatSize says n bytes as a person reads it, in binary units: "512 B",
// "1 MiB", "2.1 MiB". Messages about file sizes and limits use it, never
// a raw byte count.
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	div, i := int64(unit), 0
	for n/div >= unit && i < len(units)-1 {
		div *= unit
		i++
	}
	if n%div == 0 {
		return fmt.Sprintf("%d %s", n/div, units[i])
	}
	return fmt.Sprintf("%.1f %s", float64(n)/float64(div), units[i])
}
