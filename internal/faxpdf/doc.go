// Package faxpdf turns fax pages into PDF files for downloads and
// fax-to-email, in pure Go and without re-rasterising anything.
//
// Each page becomes one Image XObject holding the page's CCITT T.6
// (Group 4) data as it is: /Filter /CCITTFaxDecode with /K -1, /Columns
// and /Rows set to the page size and /BlackIs1 false. A PDF reader
// therefore shows exactly the pixels of the fax, and the file is about as
// small as the TIFF it came from.
//
// # Colour sense
//
// A faxtiff.Page stores 1 for black (TIFF MinIsWhite). The T.6 code
// itself does not say which value is black: it codes runs of "white" and
// "black". With /BlackIs1 false (the PDF default, written out anyway) the
// filter emits 0 for black runs, which /DeviceGray at 1 bit per component
// paints black. That is the right sense for MinIsWhite data; true would
// print the fax as a negative (TestBlackIs1 renders both ways).
//
// # Page size
//
// The page is as large as the paper the fax describes: Width/XDPI by
// Height/YDPI inches, so 1728 pixels at 204 dpi make 8.47 in (609.9 pt)
// and 1143 rows at 98 lpi, 2287 at 196 or 4574 at 391 all make one A4
// length (within 0.3 %; T.4 allows 1 %). Non-square pixels are stretched
// by the page transform, so the aspect is right at every resolution, and
// rendering at the fax's own resolution (pdftoppm -r 204x196) gives back
// the original pixels.
//
// # Streaming
//
// Writer emits each page's objects as soon as the page is added and
// keeps only object offsets, so converting a 200-page fax holds one
// page's pixels at a time. The page tree, the cross-reference table and
// the trailer follow in Close. FromTIFF reads a TIFF-F file page by page;
// pages already stored as single-strip T.6 (what faxtiff.Write and spandsp
// with T.6 storage produce) are copied, everything else (T.4 1D/2D, raw,
// multi-strip, MinIsBlack) is decoded and re-coded with faxtiff.EncodeG4.
package faxpdf
