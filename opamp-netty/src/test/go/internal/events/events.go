// Package events prints what an interop peer sees as "EVENT ..." lines, the only output the Java
// tests read, one whole line at a time from any goroutine.
package events

import (
	"fmt"
	"sync"
)

var lock sync.Mutex

// Print writes one "EVENT <text>" line.
func Print(format string, args ...interface{}) {
	lock.Lock()
	defer lock.Unlock()
	fmt.Printf("EVENT "+format+"\n", args...)
}
