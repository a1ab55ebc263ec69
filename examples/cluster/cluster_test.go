package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/internal/chat"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/redistest"
)

// chatDir is examples/chat: its npm project (the client bundle,
// playwright-core) and its browser driver, which takes one URL per visitor.
const chatDir = "../chat"

// Two visitors in headless Chromium, alice on one node and bob on another,
// chat through Redis as examples/chat's visitors do on one node: member
// lists, typing, messages, room changes and leaving cross between nodes;
// over WebSocket and over polling.
func TestChatAcrossNodesInChromium(t *testing.T) {
	if err := nodetest.EnsureModules(chatDir, "node_modules/socket.io-client/dist/socket.io.min.js", "node_modules/playwright-core"); err != nil {
		t.Fatal(err)
	}
	browser := "/usr/bin/chromium"
	if p := os.Getenv("CHROMIUM"); p != "" {
		browser = p
	}
	if _, err := os.Stat(browser); err != nil {
		t.Fatalf("%v: install Debian's chromium (examples/chat's tests do it as root)", err)
	}
	dist, err := chat.FindDist()
	if err != nil {
		t.Fatal(err)
	}
	ropts := &redis.Options{Addr: redistest.Start(t)}
	var urls string
	for i := range 2 {
		nd, err := startNode(dist, ropts, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nd.close)
		if i > 0 {
			urls += ","
		}
		urls += "http://" + nd.srv.Addr().String()
	}
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			nodetest.Run(t, 60*time.Second, chatDir, []string{"CHROMIUM=" + browser},
				"node", filepath.Join("testdata", "chat-e2e.mjs"), urls, transport)
		})
	}
}
