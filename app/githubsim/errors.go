package githubsim

import (
	"errors"
	"net/http"
)

// Errors returned by the Go API; wrapped with detail, test with errors.Is.
var (
	// ErrNotFound: the repository, branch, pull request, review, team or
	// commit does not exist.
	ErrNotFound = errors.New("githubsim: not found")
	// ErrExists: the repository already exists.
	ErrExists = errors.New("githubsim: already exists")
	// ErrInvalid: an argument is malformed (unknown review state, empty
	// name...).
	ErrInvalid = errors.New("githubsim: invalid argument")
)

const docsURL = "https://docs.github.com/rest"

// apiErrorBody is GitHub's basic-error.
type apiErrorBody struct {
	Message          string            `json:"message"`
	Errors           []validationError `json:"errors,omitempty"`
	DocumentationURL string            `json:"documentation_url"`
	Status           string            `json:"status"`
}

// validationError is one entry of a 422's "errors".
type validationError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func apiError(status int, message string) response {
	return response{status: status, body: apiErrorBody{
		Message: message, DocumentationURL: docsURL, Status: itoa(status)}}
}

func notFound() response { return apiError(http.StatusNotFound, "Not Found") }

// invalid is a 422 "Validation Failed" naming the offending field.
func invalid(resource, field, code, message string) response {
	return response{status: http.StatusUnprocessableEntity, body: apiErrorBody{
		Message:          "Validation Failed",
		Errors:           []validationError{{Resource: resource, Field: field, Code: code, Message: message}},
		DocumentationURL: docsURL, Status: "422",
	}}
}

// unprocessable is a 422 with a plain message, as GitHub sends for bad
// refs and unknown commits.
func unprocessable(message string) response {
	return apiError(http.StatusUnprocessableEntity, message)
}
