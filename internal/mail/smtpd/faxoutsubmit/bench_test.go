package faxoutsubmit_test

import (
	"crypto/tls"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"faxgate/internal/auth/authtest"
	"faxgate/internal/faxout"
	"faxgate/internal/model"
	"faxgate/internal/store"
	"faxgate/internal/store/storetest"
)

// benchEngines are SQLite and, with FAXGATE_TEST_POSTGRES, PostgreSQL.
func benchEngines() map[string]func(testing.TB) *store.Store {
	m := map[string]func(testing.TB) *store.Store{"sqlite": func(b testing.TB) *store.Store { return storetest.OpenSQLite(b) }}
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		m["postgres"] = func(b testing.TB) *store.Store { return storetest.OpenPostgres(b, dsn) }
	}
	return m
}

// sendOne sends a message with a one-page PDF over c and returns how long
// the end of DATA took to be answered: the message is parsed, the PDF
// converted into a document and the fax queued before the 250.
func sendOne(b testing.TB, c *smtp.Client, i int, pdfBytes []byte) time.Duration {
	msg := fmt.Sprintf("From: user@a.example\r\nSubject: Bench %d\r\nMessage-ID: <bench-%d-%d@client.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"+
		"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=p.pdf\r\n\r\n%s\r\n--x--\r\n",
		i, i, time.Now().UnixNano(), pdfBytes)
	if err := c.Mail("user@a.example", nil); err != nil {
		b.Fatal(err)
	}
	if err := c.Rcpt("12025550100@fax.test", nil); err != nil {
		b.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func (p *pipeline) client(b testing.TB) *smtp.Client {
	c, err := smtp.DialStartTLS(p.ln.Addr().String(), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-signed test server
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.Auth(sasl.NewPlainClient("", "user@a.example", authtest.Password)); err != nil {
		b.Fatal(err)
	}
	return c
}

func percentile(ds []time.Duration, p float64) float64 {
	slices.Sort(ds)
	return float64(ds[int(float64(len(ds)-1)*p)].Microseconds()) / 1000
}

// BenchmarkEmailAccepted: messages with a one-page PDF accepted per second
// by one authenticated SMTP client (each accepted message is a queued
// fax), and the time from the end of DATA to its 250 (fax queued).
func BenchmarkEmailAccepted(b *testing.B) {
	for name, open := range benchEngines() {
		b.Run(name, func(b *testing.B) {
			p := startPipeline(b, open(b))
			c, doc := p.client(b), pdf(b)
			var ds []time.Duration
			b.ResetTimer()
			for i := range b.N {
				ds = append(ds, sendOne(b, c, i, doc))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(percentile(ds, 0.5), "data-to-queued-p50-ms")
			b.ReportMetric(percentile(ds, 0.99), "data-to-queued-p99-ms")
		})
	}
}

// BenchmarkEmailToDial: one message at a time on an idle node, the time
// from the end of DATA until its fax's call is being dialled.
func BenchmarkEmailToDial(b *testing.B) {
	for name, open := range benchEngines() {
		b.Run(name, func(b *testing.B) {
			p := startPipeline(b, open(b))
			c, doc := p.client(b), pdf(b)
			var ds []time.Duration
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				sendOne(b, c, i, doc)
				ds = append(ds, p.waitDialled(b, start))
			}
			b.ReportMetric(percentile(ds, 0.5), "data-to-dial-p50-ms")
			b.ReportMetric(percentile(ds, 0.99), "data-to-dial-p99-ms")
		})
	}
}

// waitDialled polls for the newest fax to leave the queue and returns the
// time since start.
func (p *pipeline) waitDialled(b testing.TB, start time.Time) time.Duration {
	ctx := b.Context()
	for {
		fs, _, err := p.fo.List(ctx, p.w.UserAActor, faxout.ListFilter{Direction: model.Outbound}, model.ListOptions{Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) == 1 && fs[0].Status != model.FaxQueued {
			return time.Since(start)
		}
		if time.Since(start) > time.Minute {
			b.Fatalf("fax %+v not dialled after a minute", fs)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
