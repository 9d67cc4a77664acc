// Peer: an Approov-protected hello server written the way the Go quickstart does it, with
// net/http and golang-jwt v4 (Debian's golang-github-golang-jwt-jwt-dev, built in GOPATH
// mode; bench/peers/lib.sh has the command). The secret is base64-decoded in the key function
// on every request and a rejection is logged, as there.
// Environment: APPROOV_BASE64_SECRET, HTTP_PORT (default 8002); listens on 127.0.0.1.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"

	jwt "github.com/golang-jwt/jwt"
)

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// checkToken verifies the Approov-Token header: HS256 only, exp checked by the library.
func checkToken(r *http.Request, secretB64 string) error {
	values, ok := r.Header["Approov-Token"]
	if !ok || len(values) == 0 {
		return errors.New("no Approov-Token header")
	}
	token, err := jwt.Parse(values[0], func(t *jwt.Token) (interface{}, error) {
		if t.Method != jwt.SigningMethodHS256 {
			return nil, errors.New("unexpected signing method")
		}
		return base64.StdEncoding.DecodeString(secretB64)
	})
	if err != nil {
		return err
	}
	if !token.Valid {
		return errors.New("invalid token")
	}
	return nil
}

func main() {
	secret := os.Getenv("APPROOV_BASE64_SECRET")
	if secret == "" {
		log.Fatal("APPROOV_BASE64_SECRET is not set")
	}
	port := os.Getenv("HTTP_PORT")
	if port == "" {
		port = "8002"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if err := checkToken(r, secret); err != nil {
			log.Printf("Approov token rejected: %v", err)
			writeJSON(w, http.StatusUnauthorized, map[string]string{})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": "Hello, World!"})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, nil))
}
