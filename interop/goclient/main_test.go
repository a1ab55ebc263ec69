package goclient

import (
	"testing"

	"github.com/sioloop/sioloop/internal/testwait"
)

// TestMain fails the run if a test leaves a goroutine behind: the tests
// start servers and the Go client, and must stop everything they start.
func TestMain(m *testing.M) {
	testwait.VerifyMain(m)
}
