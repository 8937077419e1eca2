package udptl

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestParseIFPVectors(t *testing.T) {
	dis := hx(t, "ff 13 80 00 ee f8 80 80 91 00 00 00") // a DIS frame body
	tests := []struct {
		name    string
		in      []byte
		version int
		want    IFP
		str     string
	}{
		{"cng", hx(t, "02"), 0, IFP{Type: T30Indicator, Indicator: IndCNG}, "indicator cng"},
		{"ced", hx(t, "04"), 3, IFP{Type: T30Indicator, Indicator: IndCED}, "indicator ced"},
		{"v17 14400 long training", hx(t, "1e"), 1, IFP{Indicator: IndV17_14400LongTraining}, "indicator v17-14400-long-training"},
		{"extended: v8-ansam", hx(t, "20 00"), 1, IFP{Indicator: IndV8ANSam}, "indicator v8-ansam"},
		{"extended: v33-14400-training", hx(t, "21 80"), 2, IFP{Indicator: IndV33_14400Training}, "indicator v33-14400-training"},
		{"phase C data, version 1", t4IFP(3, 0xaa), 1,
			IFP{Type: T30Data, Data: DataV17_14400, Fields: []Field{{FieldT4NonECMData, []byte{0xaa, 0xaa, 0xaa}}}},
			"data v17-14400 [t4-non-ecm-data:3]"},
		{"phase C data, version 0", hx(t, "d0 01 e0 0002 aaaaaa"), 0,
			IFP{Type: T30Data, Data: DataV17_14400, Fields: []Field{{FieldT4NonECMData, []byte{0xaa, 0xaa, 0xaa}}}},
			"data v17-14400 [t4-non-ecm-data:3]"},
		{"DIS + fcs-OK-sig-end, version 1", cat(hx(t, "c0 02 80 000b"), dis, hx(t, "20")), 1,
			IFP{Type: T30Data, Data: DataV21, Fields: []Field{{FieldHDLCData, dis}, {Type: FieldHDLCFCSOKSigEnd}}},
			"data v21 [hdlc-data:12 hdlc-fcs-OK-sig-end]"},
		{"DIS + fcs-OK-sig-end, version 0 (nibble, padded)", cat(hx(t, "c0 02 80 000b"), dis, hx(t, "40")), 0,
			IFP{Type: T30Data, Data: DataV21, Fields: []Field{{FieldHDLCData, dis}, {Type: FieldHDLCFCSOKSigEnd}}},
			"data v21 [hdlc-data:12 hdlc-fcs-OK-sig-end]"},
		{"version 0: two data-less fields in one octet", hx(t, "c0 02 21"), 0,
			IFP{Type: T30Data, Data: DataV21, Fields: []Field{{Type: FieldHDLCFCSOK}, {Type: FieldHDLCSigEnd}}},
			"data v21 [hdlc-fcs-OK hdlc-sig-end]"},
		{"version 0: data-less then data in the low nibble", hx(t, "c0 02 2e 0000 55"), 0,
			IFP{Type: T30Data, Data: DataV21, Fields: []Field{{Type: FieldHDLCFCSOK}, {FieldT4NonECMData, []byte{0x55}}}},
			"data v21 [hdlc-fcs-OK t4-non-ecm-data:1]"},
		{"t4-non-ecm-sig-end without data", hx(t, "d0 01 38"), 1,
			IFP{Type: T30Data, Data: DataV17_14400, Fields: []Field{{Type: FieldT4NonECMSigEnd}}},
			"data v17-14400 [t4-non-ecm-sig-end]"},
		{"extended data type v8 with cm-message", hx(t, "e0 00 01 c0 00 0000 42"), 1,
			IFP{Type: T30Data, Data: DataV8, Fields: []Field{{FieldCMMessage, []byte{0x42}}}},
			"data v8 [cm-message:1]"},
		{"extended field v34rate", hx(t, "e0 40 01 c0 c0 0002 323838"), 1,
			IFP{Type: T30Data, Data: DataV34PriRate, Fields: []Field{{FieldV34Rate, []byte("288")}}},
			"data v34-pri-rate [v34rate:3]"},
		{"data without data-field", hx(t, "50"), 1, IFP{Type: T30Data, Data: DataV17_14400}, "data v17-14400"},
		{"two-octet field count (130 fields)", cat(hx(t, "c0 8082"), bytes.Repeat([]byte{0x08}, 130)), 1,
			IFP{Type: T30Data, Data: DataV21, Fields: slicesRepeat(Field{Type: FieldHDLCSigEnd}, 130)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIFP(tt.in, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			if !sameIFP(got, tt.want) {
				t.Fatalf("ParseIFP = %+v, want %+v", got, tt.want)
			}
			if tt.str != "" && got.String() != tt.str {
				t.Errorf("String = %q, want %q", got.String(), tt.str)
			}
			back, err := AppendIFP(nil, got, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, tt.in) {
				t.Errorf("AppendIFP = % x, want % x", back, tt.in)
			}
		})
	}
}

func slicesRepeat(f Field, n int) []Field {
	out := make([]Field, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// sameIFP compares IFPs treating nil and empty field lists and data alike.
func sameIFP(a, b IFP) bool {
	if a.Type != b.Type || len(a.Fields) != len(b.Fields) {
		return false
	}
	if a.Type == T30Indicator && a.Indicator != b.Indicator || a.Type == T30Data && a.Data != b.Data {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Type != b.Fields[i].Type || !bytes.Equal(a.Fields[i].Data, b.Fields[i].Data) {
			return false
		}
	}
	return true
}

func TestParseIFPErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		version int
		err     error
	}{
		{"empty", "", 1, ErrBadIFP},
		{"indicator with data field", "82", 1, ErrBadIFP},
		{"indicator trailing", "0200", 1, ErrTrailing},
		{"extended indicator truncated", "20", 1, ErrBadIFP},
		{"extended indicator unknown", "21c0", 1, ErrBadIFP},
		{"extension index 64+", "3000", 1, ErrBadIFP},
		{"data type 9 in the root", "d2 00", 1, ErrBadIFP},
		{"extended data type unknown", "e1c0 00", 1, ErrBadIFP},
		{"no field count", "c0", 1, ErrBadIFP},
		{"fragmented count", "c0 c1", 1, ErrBadIFP},
		{"field missing", "c0 02 08", 1, ErrBadIFP},
		{"field length missing", "c0 01 80 00", 1, ErrBadIFP},
		{"field data short", "c0 01 80 0004 0102", 1, ErrBadIFP},
		{"field length 65536", "c0 01 80 ffff", 1, ErrBadIFP},
		{"extended field truncated", "c0 01 40", 1, ErrBadIFP},
		{"extended field unknown", "c0 01 41 00", 1, ErrBadIFP},
		{"version 0 nibble data short", "c0 02 28 00", 0, ErrBadIFP},
		{"trailing after fields", "c0 01 08 00", 1, ErrTrailing},
		{"the spandsp vector primary", "c0 01 80", 1, ErrBadIFP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := ParseIFP(hx(t, tt.in), tt.version); !errors.Is(err, tt.err) {
				t.Errorf("ParseIFP(%s) = %+v, %v; want %v", tt.in, p, err, tt.err)
			}
		})
	}
}

func TestAppendIFPErrors(t *testing.T) {
	tests := []struct {
		name    string
		p       IFP
		version int
	}{
		{"indicator with fields", IFP{Type: T30Indicator, Fields: []Field{{}}}, 1},
		{"unknown indicator", IFP{Type: T30Indicator, Indicator: IndV33_14400Training + 1}, 1},
		{"unknown data type", IFP{Type: T30Data, Data: DataV33_14400 + 1}, 1},
		{"unknown msg type", IFP{Type: 2}, 1},
		{"extended field in version 0", IFP{Type: T30Data, Fields: []Field{{Type: FieldCMMessage}}}, 0},
		{"unknown field type", IFP{Type: T30Data, Fields: []Field{{Type: FieldV34Rate + 1}}}, 1},
		{"field too long", IFP{Type: T30Data, Fields: []Field{{Data: make([]byte, 65536)}}}, 1},
	}
	for _, tt := range tests {
		if b, err := AppendIFP(nil, tt.p, tt.version); !errors.Is(err, ErrBadIFP) {
			t.Errorf("%s: AppendIFP = % x, %v", tt.name, b, err)
		}
	}
}

func TestEnumStrings(t *testing.T) {
	got := []string{IndNoSignal.String(), Indicator(99).String(), DataV33_14400.String(), DataType(99).String(),
		FieldV34Rate.String(), FieldType(99).String(), T30Data.String(), FEC.String(), ECMode(7).String()}
	want := []string{"no-signal", "Indicator(99)", "v33-14400", "DataType(99)", "v34rate", "FieldType(99)", "t30-data", "fec", "ECMode(7)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
}
