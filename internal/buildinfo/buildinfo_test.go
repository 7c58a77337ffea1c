package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	embedded := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}}, true
	}
	devel := func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true }
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, tc := range []struct {
		name, version, commit string
		read                  func() (*debug.BuildInfo, bool)
		wantV, wantC          string
	}{
		{"linker flags win", "v2.0.0", "fff", embedded, "v2.0.0", "fff"},
		{"embedded module and VCS", "", "", embedded, "v1.4.0", "abc123"},
		{"devel build", "", "", devel, "dev", "unknown"},
		{"no build info", "", "", none, "dev", "unknown"},
	} {
		b := fromBuildInfo(tc.version, tc.commit, tc.read)
		if b.Version != tc.wantV || b.Commit != tc.wantC || b.GoVersion != runtime.Version() || b.OS != runtime.GOOS || b.Arch != runtime.GOARCH {
			t.Errorf("%s: %+v", tc.name, b)
		}
	}
	if b := Current("v9", ""); b.Version != "v9" || b.Commit == "" {
		t.Errorf("Current: %+v", b)
	}
}
