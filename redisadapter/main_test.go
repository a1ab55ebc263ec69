package redisadapter_test

import (
	"testing"

	"github.com/sioloop/sioloop/internal/testwait"
)

// TestMain fails the run if a test leaves a goroutine behind: the tests
// start servers, Redis clients and their subscriptions, and must stop
// everything they start.
func TestMain(m *testing.M) {
	testwait.VerifyMain(m)
}
