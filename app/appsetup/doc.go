// Package appsetup registers zgate's GitHub App through GitHub's App
// manifest flow: [Run] serves a local page that posts the [Manifest] to
// GitHub, receives the temporary code on its redirect and exchanges it for
// the App's [Credentials] (POST /app-manifests/{code}/conversions).
// cmd/zgate's setup command writes them where zgate serve reads them.
package appsetup
