package seccomp

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// The libseccomp version whose decisions this package reproduces, and
// which GetLibraryVersion reports.
var verMajor, verMinor, verMicro uint = 2, 5, 4

// maxAPI is the highest API level of that version: 6, TSYNC with ESRCH
// for a notifying filter.
const maxAPI = 6

// VersionError is the error of an operation the reported libseccomp
// version, or the API level, does not offer.
type VersionError struct {
	op                  string
	major, minor, micro uint
	curAPI, minAPI      uint
}

func (e VersionError) Error() string {
	if e.minAPI != 0 {
		return fmt.Sprintf("%s requires libseccomp >= %d.%d.%d and API level >= %d (effective version: %d.%d.%d, API level: %d)",
			e.op, e.major, e.minor, e.micro, e.minAPI, verMajor, verMinor, verMicro, e.curAPI)
	}
	return fmt.Sprintf("%s requires libseccomp >= %d.%d.%d (effective version: %d.%d.%d)",
		e.op, e.major, e.minor, e.micro, verMajor, verMinor, verMicro)
}

// checkVersion returns a *VersionError when the reported version is
// older than major.minor.micro.
func checkVersion(op string, major, minor, micro uint) error {
	if verMajor != major {
		if verMajor > major {
			return nil
		}
	} else if verMinor != minor {
		if verMinor > minor {
			return nil
		}
	} else if verMicro >= micro {
		return nil
	}
	return &VersionError{op: op, major: major, minor: minor, micro: micro}
}

// checkAPI returns a *VersionError when the API level is below minLevel
// or the version older than major.minor.micro.
func checkAPI(op string, minLevel uint, major, minor, micro uint) error {
	level, _ := getAPI()
	if level < minLevel {
		return &VersionError{op: op, curAPI: level, minAPI: minLevel, major: major, minor: minor, micro: micro}
	}
	return checkVersion(op, major, minor, micro)
}

// GetLibraryVersion returns the libseccomp version whose behaviour this
// package reproduces: 2.5.4.
func GetLibraryVersion() (major, minor, micro uint) { return verMajor, verMinor, verMicro }

// probedAPI is the kernel's level, probed once, as libseccomp does.
var probedAPI = sync.OnceValue(kernelAPI)

// apiSet is the level SetAPI chose, 0 for none.
var apiSet atomic.Uint32

func getAPI() (uint, error) {
	if l := apiSet.Load(); l != 0 {
		return uint(l), nil
	}
	l := probedAPI()
	if l == 0 {
		return 0, errors.New("API level operations are not supported")
	}
	return l, nil
}

// GetAPI returns the API level: what the running kernel supports, as
// libseccomp 2.5.4 probes it (1 seccomp filters; 2 TSYNC; 3 the log
// action, kill-process and FlagLog; 4 SPEC_ALLOW; 5 user notification;
// 6 TSYNC_ESRCH), or the level SetAPI set.
func GetAPI() (uint, error) { return getAPI() }

// SetAPI sets the API level (1 to 6) that GetAPI reports and that gates
// the filter flags Load uses, whatever the kernel supports.
func SetAPI(api uint) error {
	if api < 1 || api > maxAPI {
		return fmt.Errorf("could not set API level: API level %d is not 1 to %d: %w", api, maxAPI, errInval)
	}
	apiSet.Store(uint32(api))
	return nil
}
