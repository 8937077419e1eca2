package faxtiff

// Code tables of ITU-T T.4 (07/2003) §4.1.2 (Tables 2 and 3: terminating
// and make-up codes, plus the extended make-up codes shared by both colours)
// and §4.2.1.3.3 (Table 4: two-dimensional mode codes), which T.6 reuses
// unchanged. They are written as bit strings so that they can be checked
// line by line against the Recommendation; init turns them into codes.

// code is a variable-length code word: the low n bits of bits, sent MSB first.
type code struct {
	bits uint32
	n    uint8
}

var whiteTermStr = [64]string{
	"00110101", "000111", "0111", "1000", "1011", "1100", "1110", "1111",
	"10011", "10100", "00111", "01000", "001000", "000011", "110100", "110101",
	"101010", "101011", "0100111", "0001100", "0001000", "0010111", "0000011", "0000100",
	"0101000", "0101011", "0010011", "0100100", "0011000", "00000010", "00000011", "00011010",
	"00011011", "00010010", "00010011", "00010100", "00010101", "00010110", "00010111", "00101000",
	"00101001", "00101010", "00101011", "00101100", "00101101", "00000100", "00000101", "00001010",
	"00001011", "01010010", "01010011", "01010100", "01010101", "00100100", "00100101", "01011000",
	"01011001", "01011010", "01011011", "01001010", "01001011", "00110010", "00110011", "00110100",
}

// whiteMakeupStr[i] codes a run of 64*(i+1) white pixels (64 … 1728).
var whiteMakeupStr = [27]string{
	"11011", "10010", "010111", "0110111", "00110110", "00110111", "01100100", "01100101",
	"01101000", "01100111", "011001100", "011001101", "011010010", "011010011", "011010100", "011010101",
	"011010110", "011010111", "011011000", "011011001", "011011010", "011011011", "010011000", "010011001",
	"010011010", "011000", "010011011",
}

var blackTermStr = [64]string{
	"0000110111", "010", "11", "10", "011", "0011", "0010", "00011",
	"000101", "000100", "0000100", "0000101", "0000111", "00000100", "00000111", "000011000",
	"0000010111", "0000011000", "0000001000", "00001100111", "00001101000", "00001101100", "00000110111", "00000101000",
	"00000010111", "00000011000", "000011001010", "000011001011", "000011001100", "000011001101", "000001101000", "000001101001",
	"000001101010", "000001101011", "000011010010", "000011010011", "000011010100", "000011010101", "000011010110", "000011010111",
	"000001101100", "000001101101", "000011011010", "000011011011", "000001010100", "000001010101", "000001010110", "000001010111",
	"000001100100", "000001100101", "000001010010", "000001010011", "000000100100", "000000110111", "000000111000", "000000100111",
	"000000101000", "000001011000", "000001011001", "000000101011", "000000101100", "000001011010", "000001100110", "000001100111",
}

// blackMakeupStr[i] codes a run of 64*(i+1) black pixels (64 … 1728).
var blackMakeupStr = [27]string{
	"0000001111", "000011001000", "000011001001", "000001011011", "000000110011", "000000110100", "000000110101", "0000001101100",
	"0000001101101", "0000001001010", "0000001001011", "0000001001100", "0000001001101", "0000001110010", "0000001110011", "0000001110100",
	"0000001110101", "0000001110110", "0000001110111", "0000001010010", "0000001010011", "0000001010100", "0000001010101", "0000001011010",
	"0000001011011", "0000001100100", "0000001100101",
}

// extMakeupStr[i] codes a run of 1792+64*i pixels of either colour (1792 … 2560).
var extMakeupStr = [13]string{
	"00000001000", "00000001100", "00000001101", "000000010010", "000000010011", "000000010100", "000000010101",
	"000000010110", "000000010111", "000000011100", "000000011101", "000000011110", "000000011111",
}

// Two-dimensional coding modes (T.4 Table 4, T.6 Table 1).
const (
	modePass = iota
	modeHoriz
	modeV0
	modeVR1
	modeVR2
	modeVR3
	modeVL1
	modeVL2
	modeVL3
	modeExt // extension (uncompressed mode etc.), 0000001xxx; not supported
	numModes
)

var modeStr = [numModes]string{
	modePass: "0001", modeHoriz: "001",
	modeV0: "1", modeVR1: "011", modeVR2: "000011", modeVR3: "0000011",
	modeVL1: "010", modeVL2: "000010", modeVL3: "0000010",
	modeExt: "0000001",
}

// eol is the 12-bit end-of-line code 000000000001; T.6's EOFB is two of them.
var eol = code{bits: 1, n: 12}

// maxCodeLen is the longest run-length code (black make-up codes, 13 bits).
const maxCodeLen = 13

var (
	whiteTerm, blackTerm     [64]code
	whiteMakeup, blackMakeup [27]code
	extMakeup                [13]code
	modeCodes                [numModes]code
)

func init() {
	for i := range 64 {
		whiteTerm[i] = parseCode(whiteTermStr[i])
		blackTerm[i] = parseCode(blackTermStr[i])
	}
	for i := range 27 {
		whiteMakeup[i] = parseCode(whiteMakeupStr[i])
		blackMakeup[i] = parseCode(blackMakeupStr[i])
	}
	for i := range 13 {
		extMakeup[i] = parseCode(extMakeupStr[i])
	}
	for i := range numModes {
		modeCodes[i] = parseCode(modeStr[i])
	}
	for i, m := range [7]int{modeVL3, modeVL2, modeVL1, modeV0, modeVR1, modeVR2, modeVR3} {
		verticalCodes[i] = modeCodes[m]
		passOrVertical[i] = modeCodes[m]
	}
	passOrVertical[7] = modeCodes[modePass]
	buildDecodeTables()
}

func parseCode(s string) code {
	var c code
	for _, ch := range s {
		c.bits = c.bits<<1 | uint32(ch-'0')
		c.n++
	}
	return c
}
