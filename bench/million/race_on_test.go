//go:build race

package main

// raceEnabled: the race detector slows the core ~10×, so the test is smaller.
const raceEnabled = true
