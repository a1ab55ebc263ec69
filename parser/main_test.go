package parser_test

import (
	"testing"

	"github.com/sioloop/sioloop/internal/testwait"
)

// TestMain fails the run if a test leaves a goroutine behind: the
// reference tests run the official parser in node (os/exec's goroutines).
func TestMain(m *testing.M) {
	testwait.VerifyMain(m)
}
