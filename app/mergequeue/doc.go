// Package mergequeue knows GitHub's merge queue: the names of the
// temporary branches a merge group is built on ([ParseRef]) and the
// GraphQL calls that add a pull request to the queue ([Enqueue]) and
// read whether it is queued ([PullState]).
package mergequeue
