// Package document turns the files people fax (PDF, TIFF, PNG, JPEG, GIF,
// BMP, WebP, plain text, PostScript and office documents) into fax pages:
// 1728-pixel-wide bilevel pages at standard (204 × 98 dpi), fine
// (204 × 196) or superfine (204 × 391) resolution, ready for
// faxtiff.Write and the fax engine. It also draws previews of fax pages.
// It knows neither the database nor HTTP.
//
// # Use
//
//	conv, _ := document.NewConverter(document.Config{CompilationCacheDir: dataDir + "/cache"})
//	defer conv.Close()
//	res, err := conv.ConvertFile(ctx, []document.Input{{Name: "offer.pdf", Path: upload}},
//		document.Options{Resolution: faxtiff.Fine}, "doc.tif")
//	// err: *document.Error with a Kind (unsupported_type, corrupt, encrypted,
//	// no_pages, too_many_pages, too_large, image_too_large, timeout,
//	// needs_libreoffice, needs_ghostscript) and a message for the uploader;
//	// Kind.TooLarge() tells 413 from 422. Other errors are the context's or
//	// internal.
//	png, _ := document.Thumbnail(res.Pages[0], 200)
//	full, _ := document.Preview(res.Pages[0])
//
// With Options.Encoded the pages are held T.6-coded (Result.Encoded, a
// tenth of the memory for text) and Result.Page(i) decodes one.
//
// Convert is a function of its inputs and options: it returns every page
// or an error, never part of a document, and ConvertFile writes the TIFF-F
// atomically (faxtiff.WriteFile) only after everything succeeded. Several
// inputs append into one document in order. The Converter holds the one
// shared resource, the WebAssembly PDF renderer, compiled once (several
// seconds; call Warm at startup, and give CompilationCacheDir to make later
// starts take a fraction of a second) and then reused by every conversion.
//
// # Types
//
// The type is found from the content (Detect), never from the name: a
// ".pdf" that is a PNG is converted as a PNG, a program renamed ".pdf" is
// refused as an unsupported file type. PDF is opened and checked by PDFium
// compiled to WebAssembly (sandboxed: no file system, capped memory, no
// system library) and rendered by MuPDF's mutool when it is installed (four
// times faster; a sandboxed child process, see pdf_mutool.go), else by
// PDFium. TIFF, PNG, JPEG, GIF (first frame), BMP and WebP are decoded in
// Go. Text is set in the embedded Go Mono font. Office files (DOC, DOCX,
// ODT, RTF, XLS, XLSX, ODS, PPT, PPTX, ODP, ODG) and HTML go through
// LibreOffice (soffice --headless --convert-to pdf) when it is installed,
// PostScript through Ghostscript; without them those formats fail with a
// clear error.
//
// # Geometry, tones, text
//
// See layout.go (page sizes, non-square pixels, landscape pages turned a
// quarter clockwise, long pages split at blank rows), binarize.go (per-region
// threshold or Atkinson diffusion), raster.go (linear-light scaling),
// image.go (pixel budget, EXIF orientation, grey paper of scans) and text.go
// (layout, scripts covered, missing glyphs as boxes).
//
// # Limits
//
// Options.MaxPages (200), MaxInputBytes (64 MiB per file), MaxImagePixels
// (50 million, checked from the header before any pixel is decoded),
// PageTimeout (30 s per page; PDF rendering pauses at the deadline, other
// work checks it between bands) and OfficeTimeout (2 min per LibreOffice or
// Ghostscript run, whose process group is killed). Memory of one
// conversion: the result (with Options.Encoded its T.6 data, 50-80 KB per
// fine page of text, about 560 KB per fine page of dithered photograph;
// else 216 bytes per row: 0.5 MB per fine A4 page, 1 MB superfine), plus
// per PDF worker one page of grey (at most 1728 × 5606 bytes, 9.7 MB) and
// one of bits, a PDFium instance capped at Config.WasmMemoryLimit (512 MiB;
// typically 20-60 MB; released before mutool renders), each mutool process
// capped at Config.ExternalMemoryLimit outside the Go heap, or for an image
// its decoded pixels (at most 4 bytes × MaxImagePixels) plus one byte per
// pixel of grey. docs/documents.md has measured figures.
package document
