package seccomp

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/sysfence/seccomp/internal/testenv"
)

// apache2SHA256 is the SHA-256 of the Apache License 2.0 as the Apache
// Software Foundation publishes it (https://www.apache.org/licenses/LICENSE-2.0.txt,
// also Debian's /usr/share/common-licenses/Apache-2.0): the text that
// license detectors such as pkg.go.dev's recognise unchanged.
const apache2SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"

// TestLicense checks that the module carries the Apache License 2.0,
// unmodified, and that the documents a user and a contributor look for
// exist and say what they must.
func TestLicense(t *testing.T) {
	testenv.RequireSource(t, "go.mod") // the qemu guests have no source tree
	b, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatalf("the module has no license: %v", err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != apache2SHA256 {
		t.Errorf("LICENSE is not the Apache License 2.0 text, unmodified (sha256 %x)", sum)
	}
	for file, musts := range map[string][]string{
		"README.md":       {"[LICENSE](LICENSE)", "Apache License 2.0", "[SECURITY.md](SECURITY.md)", "[CONTRIBUTING.md](CONTRIBUTING.md)"},
		"SECURITY.md":     {"Report a vulnerability", "## In scope", "## Out of scope"},
		"CONTRIBUTING.md": {"bash .ci/test", "internal/vmtest", "go generate ./...", "## House rules", "SECURITY.md"},
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, s := range musts {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s does not say %q", file, s)
			}
		}
	}
}
