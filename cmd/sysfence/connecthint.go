package main

import (
	"fmt"
	"net/netip"
	"strings"
)

// hostnameWhy explains a --supervise connect= address whose host is a
// name (localhost:8080, example.com) rather than an IP address, or
// returns "" for any other address. sysfence resolves no names: connect(2)
// sees addresses, and a name may resolve to others for CMD than for
// sysfence.
func hostnameWhy(addr string) string {
	if strings.HasPrefix(addr, "unix:") || strings.HasPrefix(addr, "[") || strings.Count(addr, ":") > 1 {
		return ""
	}
	host, port, _ := strings.Cut(addr, ":")
	if strings.Contains(host, "/") || host == "" {
		return ""
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	if strings.Trim(strings.ToLower(host), "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" || strings.Trim(host, "0123456789.") == "" {
		return ""
	}
	if port != "" {
		port = ":" + port
	}
	example := fmt.Sprintf("the addresses it resolves to, as in $(getent ahosts %s)", host)
	if strings.EqualFold(host, "localhost") {
		example = fmt.Sprintf("127.0.0.1%s,[::1]%s", port, port)
	}
	return fmt.Sprintf("%s is a host name; connect= takes IP addresses, since sysfence resolves no names (CMD may resolve them to others): write %s", host, example)
}
