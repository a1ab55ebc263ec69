package main

import (
	"reflect"
	"testing"
)

func TestParsePerfStat(t *testing.T) {
	out := []byte(`
# started on Sun Dec  6 21:16:19 2026

116,,raw_syscalls:sys_enter,3850313,100.00,,
4,,syscalls:sys_enter_read,3850313,100.00,,
0,,syscalls:sys_enter_epoll_pwait2,3850313,100.00,,
<not counted>,,syscalls:sys_enter_writev,0,100.00,,
<not supported>,,syscalls:sys_enter_epoll_wait,0,100.00,,
`)
	want := map[string]int64{allSyscalls: 116, "read": 4, "epoll_pwait2": 0}
	if got := parsePerfStat(out); !reflect.DeepEqual(got, want) {
		t.Fatalf("parsePerfStat = %v, want %v", got, want)
	}
}
