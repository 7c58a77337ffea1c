// Package junitxsd validates JUnit XML in tests against Jenkins' junit-10.xsd (the schema Jenkins,
// GitLab, GitHub and Azure read), shipped in the shared material folder as junit/junit-10.xsd, with
// libxml2's `xmllint --schema` (Debian's libxml2-utils; scripts/ensure-xmllint.sh installs it and
// `make test-deps` runs that script).
//
// Without xmllint on PATH or without the shared folder the calling test is skipped with a message,
// except under CI=true where that is a failure.
package junitxsd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commbench/commbench/internal/testenv"
)

// Validate fails t when data (a JUnit XML document) does not validate against junit-10.xsd,
// reporting xmllint's messages (line numbers refer to data). what names the document in messages.
func Validate(t testing.TB, what string, data []byte) {
	t.Helper()
	xsd := testenv.SharedFile(t, "junit", "junit-10.xsd")
	if _, err := os.Stat(xsd); err != nil {
		msg := "junit-10.xsd not found at " + xsd + " (set COMMBENCH_SHARED); it is jenkinsci/xunit-plugin's " +
			"src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd"
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		msg := "xmllint not found: run `bash scripts/ensure-xmllint.sh` (Debian's libxml2-utils)"
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	file := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		t.Fatalf("%s is not valid against junit-10.xsd (xmllint: %v):\n%s\n--- document ---\n%s",
			what, err, strings.TrimSpace(string(out)), data)
	}
}
