package codeowners

import "strings"

// Owner kinds as [OwnerKind] reports them.
const (
	OwnerUser  = "user"  // @login
	OwnerTeam  = "team"  // @org/team
	OwnerEmail = "email" // user@example.com, not resolvable to a login
)

// OwnerKind classifies a valid CODEOWNERS owner as [OwnerUser], [OwnerTeam]
// or [OwnerEmail]; "" when owner is not valid.
func OwnerKind(owner string) string {
	if checkOwner(owner) != "" {
		return ""
	}
	switch {
	case !strings.HasPrefix(owner, "@"):
		return OwnerEmail
	case strings.Contains(owner, "/"):
		return OwnerTeam
	}
	return OwnerUser
}

// checkOwner returns why owner is not a valid CODEOWNERS owner, or "" when
// it is one.
func checkOwner(owner string) string {
	const want = "want @user, @org/team or an email address"
	if name, ok := strings.CutPrefix(owner, "@"); ok {
		org, team, isTeam := strings.Cut(name, "/")
		if !validLogin(org) {
			return want
		}
		if isTeam && !validTeamSlug(team) {
			return "bad team name; " + want
		}
		return ""
	}
	if local, domain, ok := strings.Cut(owner, "@"); ok {
		if !validEmailLocal(local) || !validDomain(domain) {
			return "bad email address; " + want
		}
		return ""
	}
	return want
}

// validLogin reports whether s can be a GitHub login or organization:
// ASCII letters, digits and hyphens, not starting with a hyphen, at most
// 39 characters; an underscore joins an Enterprise Managed User's handle
// and shortcode (octocat_acme), which may make it longer.
func validLogin(s string) bool {
	if s == "" || len(s) > 39+1+20 || s[0] == '-' || s[0] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' && s[i] != '_' {
			return false
		}
	}
	return true
}

// validTeamSlug reports whether s can be a team slug.
func validTeamSlug(s string) bool {
	if s == "" || len(s) > 255 || s[0] == '-' || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// validEmailLocal accepts the printable ASCII of an address's local part.
func validEmailLocal(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`@<>,;:"()[]\`, c) >= 0 {
			return false
		}
	}
	return true
}

// validDomain accepts dot-separated labels of letters, digits and hyphens,
// at least two of them.
func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
