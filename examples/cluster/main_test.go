package main

import (
	"testing"

	"github.com/sioloop/sioloop/internal/testwait"
)

// TestMain fails the run if a test leaves a goroutine behind: the test
// starts two nodes and a Redis, and must stop everything it starts.
func TestMain(m *testing.M) {
	testwait.VerifyMain(m)
}
