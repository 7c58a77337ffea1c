package testenv

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const echoEnv = "TESTENV_CHILD_ECHO_JOB"

type echoJob struct {
	Word string `json:"word"`
	Fail bool   `json:"fail"`
}

// TestChildEcho prints its job's word, and fails when asked to; TestRunChild starts it.
func TestChildEcho(t *testing.T) {
	var j echoJob
	ChildJob(t, echoEnv, &j)
	fmt.Println("echo:", j.Word) // stdout reaches the parent whatever the verbosity
	if j.Fail {
		t.Fatal("failing as asked")
	}
}

func TestRunChild(t *testing.T) {
	tests := []struct {
		name    string
		job     echoJob
		wantErr bool
	}{
		{name: "passing child", job: echoJob{Word: "kangaroo"}},
		{name: "failing child", job: echoJob{Word: "wombat", Fail: true}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := RunChild(ctx, t.TempDir(), "TestChildEcho", echoEnv, tc.job)
			var exit *exec.ExitError
			switch {
			case tc.wantErr && !errors.As(err, &exit):
				t.Fatalf("err = %v, want an exit error; output:\n%s", err, out)
			case !tc.wantErr && err != nil:
				t.Fatalf("err = %v; output:\n%s", err, out)
			}
			if !strings.Contains(string(out), "echo: "+tc.job.Word) {
				t.Fatalf("the child did not get its job; output:\n%s", out)
			}
		})
	}
}
