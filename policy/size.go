package policy

import "fmt"

// sizeText says n bytes as a person reads it: "512 B", "1 MiB", "2.1 MiB".
func sizeText(n int) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB"}
	div, i := unit, 0
	for n/div >= unit && i < len(units)-1 {
		div *= unit
		i++
	}
	if n%div == 0 {
		return fmt.Sprintf("%d %s", n/div, units[i])
	}
	return fmt.Sprintf("%.1f %s", float64(n)/float64(div), units[i])
}
