package cover

import (
	"image"
	"image/color"
	"math"
	"strings"
	"time"
)

// Test inputs. The logos are drawn here, so no test reads files.

// lineArtLogo is a flat two-colour mark: a navy ring and bar on
// transparent background, like a typical company logo.
func lineArtLogo(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	navy := color.NRGBA{20, 40, 110, 255}
	cx, cy, r := float64(h)/2, float64(h)/2, float64(h)*0.42
	for y := range h {
		for x := range w {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			switch {
			case d < r && d > r*0.62:
				img.SetNRGBA(x, y, navy)
			case x > h && x < w-h/8 && y > h*2/5 && y < h*3/5:
				img.SetNRGBA(x, y, navy)
			}
		}
	}
	return img
}

// photoLogo is a smooth radial gradient with a soft highlight: all
// mid-tones, as in a photograph.
func photoLogo(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			d := math.Hypot(float64(x-w/3), float64(y-h/2)) / float64(w)
			v := uint8(60 + 150*math.Min(1, d*1.6))
			img.SetRGBA(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	return img
}

func sampleCover() Cover {
	return Cover{
		CompanyName: "Acme Logistics GmbH",
		Logo:        lineArtLogo(400, 120),
		ToName:      "Dr. Maria Oliveira",
		ToCompany:   "Hospital São João — Radiology",
		ToFax:       "+351 22 551 2100",
		FromName:    "Jonas Müller",
		FromCompany: "Acme Logistics GmbH",
		FromPhone:   "+49 30 1234 5678",
		FromFax:     "+49 30 1234 5679",
		FromEmail:   "jonas.mueller@acme-logistics.example",
		Date:        time.Date(2026, 3, 4, 9, 41, 0, 0, time.UTC),
		Location:    time.FixedZone("CET", 3600),
		Subject:     "Signed delivery notes for shipment 2026-0314 (pallets 1–12)",
		Pages:       3,
		Comments: "Dear Dr. Oliveira,\n\nplease find attached the signed delivery notes for last week's shipment. " +
			"Pallets 7 and 9 arrived with damaged wrapping; the driver's remarks are on page 3.\n\n" +
			"Kindly countersign and fax the notes back to +49 30 1234 5679 by Friday.\n\nBest regards,\nJonas Müller",
		Footer: "CONFIDENTIAL: this fax is intended only for the addressee. If you received it in error, " +
			"please notify the sender at +49 30 1234 5678 and destroy it.",
	}
}

func longText(n int) string {
	words := []string{"shipment", "pallet", "delivery", "signature", "Überprüfung", "invoice", "confirmation", "antidisestablishmentarianism"}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(words[i%len(words)])
		if i%17 == 16 {
			b.WriteString(".\n")
		} else {
			b.WriteString(" ")
		}
	}
	return b.String()[:n]
}
