package digest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzImportReader feeds the export reader arbitrary files: it never
// panics, and every row it returns has a valid address.
func FuzzImportReader(f *testing.F) {
	for _, seed := range []string{
		"uuid,email,name,attributes,status\nx,a@example.com,A,\"{\"\"tags\"\": [\"\"AI\"\"]}\",enabled\n",
		"Email Address,First Name,Last Name,TAGS\nb@example.com,B,C,\"\"\"AI\"\",\"\"X\"\"\"\n",
		"email,active_subscription,email_disabled\nc@example.com,true,false\n",
		"id,email,creation_date,tags,subscriber_type\n1,d@example.com,2024-01-01,\"[\"\"AI\"\"]\",regular\n",
		"email,name,tags,status\ne@example.com,E,AI;未来趋势,paused\n",
		"\uFEFFemail\r\n\"bad\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		r, err := NewImportReader(strings.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		for range 10000 {
			row, err := r.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if _, err := NormalizeEmail(row.Sub.Email); err != nil {
				t.Fatalf("row with a bad address %q: %v", row.Sub.Email, err)
			}
		}
	})
}
