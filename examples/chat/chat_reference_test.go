//go:build reference

package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReferenceChatInChromium validates the browser driver (and the page)
// against testdata/reference-chat.mjs, the chat protocol on the official Node
// socket.io server: `go test -tags reference -run Reference ./examples/chat/`.
func TestReferenceChatInChromium(t *testing.T) {
	base := startReference(t)
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) { runE2E(t, base, transport) })
	}
}

// startReference starts `node testdata/reference-chat.mjs` on a free port
// and returns the URL from its "chat listening on URL" line.
func startReference(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("node", filepath.Join("testdata", "reference-chat.mjs"))
	cmd.Env = append(os.Environ(), "PORT=0", "HOST=127.0.0.1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node reference-chat.mjs: %v", err)
	}
	exited := make(chan struct{})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "chat listening on "); ok {
				listening <- url
				_, _ = io.Copy(io.Discard, out)
				return
			}
		}
		close(listening)
	}()
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case url, ok := <-listening:
		if !ok {
			t.Fatalf("reference-chat.mjs exited without listening\n--- stderr ---\n%s", stderr.String())
		}
		return url
	case <-time.After(15 * time.Second):
		t.Fatalf("reference-chat.mjs not listening after 15s\n--- stderr ---\n%s", stderr.String())
	}
	return ""
}
