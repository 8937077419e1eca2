// Package faxtiff reads, writes and checks the TIFF files the fax engine
// sends and receives, and codes fax pages as CCITT T.6 (Group 4, MMR), in
// pure Go.
//
// # Pages
//
// A Page is one bilevel image, packed 8 pixels per byte, most significant
// bit first, with bit value 1 meaning black (the TIFF MinIsWhite sense,
// so rows go to and from the file without inversion). Fax pages are
// 1728 pixels wide for A4/Letter (2048 for B4, 2432 for A3) at 204 dpi, and
// 98, 196 or 391 lines per inch (Standard, Fine, Superfine); an A4 page has
// 1143, 2287 or 4574 rows.
//
// # TIFF-F as used here
//
// TIFF Class F (the fax profile of TIFF, RFC 2306) stores a fax document as
// one image file directory (IFD) per page. Write produces exactly this:
// little-endian classic TIFF; each IFD has NewSubfileType 2 (page),
// ImageWidth, ImageLength, BitsPerSample 1, SamplesPerPixel 1,
// Compression 4 (T.6) with T6Options 0, Photometric 0 (MinIsWhite),
// FillOrder 1, a single strip (RowsPerStrip = ImageLength), X/YResolution
// in dpi with ResolutionUnit 2, PageNumber (n from 0, total) and Software.
// This is what spandsp 0.0.6 reads best: it reads rows through libtiff and
// re-codes them for the line (MH, MR or MMR as negotiated), so the file's
// own coding only has to be one libtiff decodes, but the geometry must be
// right, because 0.0.6 cannot scale: the width must be an exact T.4 width
// and the resolution within ±5 % of 204 × 98/196/391 dpi.
//
// Read accepts what spandsp and common tools write: II or MM byte order,
// any number of IFDs, one or many strips, Compression 1 (none), 2 (CCITT
// RLE), 3 (T.4, 1D or 2D per T4Options, with or without fill bits), 4
// (T.6), PackBits, LZW and Deflate, FillOrder 1 or 2 (spandsp writes
// received pages as T.4 2D or T.6 with FillOrder 2), MinIsWhite or
// MinIsBlack. Every size and offset is checked against the file size
// before anything is allocated, directory loops are detected, and pages
// larger than MaxWidth × MaxHeight are refused.
//
// Validate answers "can spandsp 0.0.6 send this file as it is?" before a
// call is placed, since spandsp itself only opens the file after the far
// end answered; its errors name the page and the problem.
package faxtiff
