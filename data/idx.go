package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pkg/errors"
)

// Magic numbers of the two standard IDX files of MNIST: unsigned bytes with 3 dimensions
// (images: count, rows, columns) and with 1 dimension (labels: count).
const (
	ImageMagic = 0x00000803
	LabelMagic = 0x00000801
)

// maxIDXBytes bounds the data an IDX header may declare (4 GiB), so that a corrupt header
// cannot make the reader attempt an absurd allocation.
const maxIDXBytes = 1 << 32

// IDX is a decoded IDX file of unsigned bytes: its dimensions and its data in row-major order
// (len(Data) is the product of Dims).
type IDX struct {
	Magic uint32 // the magic number as read, e.g. ImageMagic
	Dims  []int  // the dimensions, outermost first
	Data  []byte // the values, row-major
}

// ReadIDX decodes an IDX file of unsigned bytes (type code 0x08) from r. A gzip stream is
// detected from its first two bytes and decompressed. The data must be exactly as long as the
// header declares: missing bytes are reported as truncation, extra bytes as trailing data.
// Dimensions whose product (ignoring zeros) exceeds 4 GiB are rejected.
//
// Memory: when r is an io.ReadSeeker (an *os.File, a *bytes.Reader), nothing is allocated for
// the data until it is known to be complete: a raw file's length is compared with the header
// first, and a gzip stream is decompressed once without keeping anything (stopping at the
// declared size) before the second pass decodes it into a buffer of exactly that size. A
// rejected input then costs only a few kilobytes. From any other reader the buffer grows with
// the data actually present (at most about twice its size, never beyond the declared size).
func ReadIDX(r io.Reader) (*IDX, error) {
	rs, seekable := r.(io.ReadSeeker)
	var start, avail int64 = 0, -1
	if seekable {
		var err error
		if start, err = rs.Seek(0, io.SeekCurrent); err != nil {
			seekable = false
		} else if end, err := rs.Seek(0, io.SeekEnd); err != nil {
			seekable = false
		} else if _, err := rs.Seek(start, io.SeekStart); err != nil {
			return nil, errors.Wrap(err, "reading IDX header")
		} else {
			avail = end - start
		}
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if err != nil && len(head) < 2 {
		if err == io.EOF {
			return nil, errors.New("empty or truncated file: no IDX header")
		}
		return nil, errors.Wrap(err, "reading IDX header")
	}
	if head[0] != 0x1f || head[1] != 0x8b {
		mode := grow
		if avail >= 0 {
			mode = exact
		}
		return readIDX(br, avail, mode)
	}
	gunzip := func(mode readMode) (*IDX, error) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errors.Wrap(err, "corrupt gzip stream")
		}
		defer zr.Close()
		return readIDX(zr, -1, mode)
	}
	if !seekable {
		return gunzip(grow)
	}
	// First pass: check the whole stream, keeping nothing; second: decode into an exact buffer.
	if _, err := gunzip(count); err != nil {
		return nil, err
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return nil, errors.Wrap(err, "rewinding the gzip stream")
	}
	br.Reset(rs)
	return gunzip(exact)
}

// readMode says how readIDX treats the data.
type readMode int

const (
	count readMode = iota // count the bytes, keep nothing (a validation pass)
	exact                 // the data is known to be complete: read it into a buffer of the declared size
	grow                  // grow the buffer with the data actually present
)

// readIDX decodes the header and data from r. avail is the number of bytes r holds when known
// (raw files), else -1. In count mode the result has nil Data.
func readIDX(r io.Reader, avail int64, mode readMode) (*IDX, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, wrapRead(err, fmt.Sprintf("truncated: %d of 4 bytes of the magic number", n))
	}
	magic := binary.BigEndian.Uint32(hdr[:])
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, errors.Errorf("bad magic number 0x%08x: not an IDX file (the first two bytes must be zero)", magic)
	}
	if hdr[2] != 0x08 {
		return nil, errors.Errorf("bad magic number 0x%08x: data type 0x%02x is not supported (only 0x08, unsigned byte)", magic, hdr[2])
	}
	nd := int(hdr[3])
	if nd == 0 {
		return nil, errors.Errorf("bad magic number 0x%08x: zero dimensions", magic)
	}
	dimBytes := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, wrapRead(err, fmt.Sprintf("truncated header: %d of %d bytes of dimensions", n, 4*nd))
	}
	dims := make([]int, nd)
	size, capacity := uint64(1), uint64(1)
	for i := range dims {
		d := uint64(binary.BigEndian.Uint32(dimBytes[4*i:]))
		dims[i] = int(d)
		size *= d
		if d > 0 {
			// The product of the non-zero dimensions bounds every sub-product (rows × columns),
			// so an empty file cannot declare sizes that overflow int arithmetic later.
			if capacity > maxIDXBytes/d {
				return nil, errors.Errorf("dimensions %v declare more than %d bytes of data", dimsUpTo(dimBytes, i), uint64(maxIDXBytes))
			}
			capacity *= d
		}
	}
	if avail >= 0 {
		if got := avail - int64(4+4*nd); got < int64(size) {
			return nil, errors.Errorf("truncated: dimensions %s declare %d bytes of data, found %d", fmtDims(dims), size, got)
		} else if got > int64(size) {
			return nil, errors.Errorf("trailing data: dimensions %s declare %d bytes of data, found %d", fmtDims(dims), size, got)
		}
	}
	var data []byte
	var got uint64
	var err error
	switch mode {
	case count:
		var n int64
		n, err = io.CopyN(io.Discard, r, int64(size)+1)
		got = uint64(n)
	case exact:
		data = make([]byte, size+1)
		got, err = fill(r, data)
	default:
		var buf bytes.Buffer
		buf.Grow(int(min(size, 1<<20)) + 1)
		var n int64
		n, err = buf.ReadFrom(io.LimitReader(r, int64(size)+1))
		got, data = uint64(n), buf.Bytes()
		if err == nil && got <= size {
			// ReadFrom hides the source's io.EOF; look for a reader error at the very end
			// (a gzip checksum is verified only there).
			var one [1]byte
			var m uint64
			m, err = fill(r, one[:])
			got += m
		}
	}
	if err == io.EOF {
		err = nil
	}
	switch {
	case err == io.ErrUnexpectedEOF:
		return nil, errors.Errorf("truncated: dimensions %s declare %d bytes of data, the compressed stream ends after %d", fmtDims(dims), size, got)
	case err != nil:
		return nil, errors.Wrapf(err, "reading %d bytes of data", size)
	case got < size:
		return nil, errors.Errorf("truncated: dimensions %s declare %d bytes of data, found %d", fmtDims(dims), size, got)
	case got > size:
		return nil, errors.Errorf("trailing data: dimensions %s declare %d bytes of data, found more", fmtDims(dims), size)
	}
	if mode != count {
		data = data[:size:size]
	}
	return &IDX{Magic: magic, Dims: dims, Data: data}, nil
}

// fill reads into buf until it is full or r fails, returning the bytes read and the error
// (io.EOF for a clean end before buf is full).
func fill(r io.Reader, buf []byte) (uint64, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return uint64(n), err
		}
	}
	return uint64(n), nil
}

// wrapRead turns an EOF during a read into a truncation message and wraps other errors
// (e.g. a gzip checksum error) with what was being read.
func wrapRead(err error, what string) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New(what)
	}
	return errors.Wrap(err, what)
}

func dimsUpTo(b []byte, i int) string {
	d := make([]int, i+1)
	for j := range d {
		d[j] = int(binary.BigEndian.Uint32(b[4*j:]))
	}
	return fmtDims(d)
}

func fmtDims(d []int) string {
	s := make([]string, len(d))
	for i, v := range d {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, "×")
}

// ReadIDXFile reads and decodes the IDX file at path (raw or gzip-compressed). Errors name the file.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "data")
	}
	defer f.Close()
	m, err := ReadIDX(f)
	if err != nil {
		return nil, errors.Wrapf(err, "data: %s", path)
	}
	return m, nil
}

// Images is a stack of same-sized greyscale images with one byte per pixel.
type Images struct {
	N, Rows, Cols int
	Pixels        []byte // N*Rows*Cols bytes, image after image, each row-major
}

// ReadImages reads an IDX image file (magic 0x00000803: count, rows, columns).
func ReadImages(path string) (*Images, error) {
	m, err := ReadIDXFile(path)
	if err != nil {
		return nil, err
	}
	if m.Magic != ImageMagic {
		return nil, errors.Errorf("data: %s: wrong magic number 0x%08x, want 0x%08x (IDX images)", path, m.Magic, ImageMagic)
	}
	if m.Dims[1] == 0 || m.Dims[2] == 0 {
		return nil, errors.Errorf("data: %s: images of size %d×%d", path, m.Dims[1], m.Dims[2])
	}
	return &Images{N: m.Dims[0], Rows: m.Dims[1], Cols: m.Dims[2], Pixels: m.Data}, nil
}

// ReadLabels reads an IDX label file (magic 0x00000801: count) and returns one byte per label.
func ReadLabels(path string) ([]byte, error) {
	m, err := ReadIDXFile(path)
	if err != nil {
		return nil, err
	}
	if m.Magic != LabelMagic {
		return nil, errors.Errorf("data: %s: wrong magic number 0x%08x, want 0x%08x (IDX labels)", path, m.Magic, LabelMagic)
	}
	return m.Data, nil
}

// WriteIDX writes data as an IDX file of unsigned bytes with the given dimensions (the magic
// number is derived from len(dims)). It is the inverse of ReadIDX, for tests and tools.
func WriteIDX(w io.Writer, dims []int, data []byte) error {
	if len(dims) == 0 || len(dims) > 255 {
		return errors.Errorf("data: WriteIDX: %d dimensions, want 1..255", len(dims))
	}
	size := 1
	hdr := make([]byte, 4+4*len(dims))
	hdr[2], hdr[3] = 0x08, byte(len(dims))
	for i, d := range dims {
		if d < 0 || uint64(d) > 0xffffffff {
			return errors.Errorf("data: WriteIDX: dimension %d is %d", i, d)
		}
		size *= d
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	if size != len(data) {
		return errors.Errorf("data: WriteIDX: dimensions %s need %d bytes, got %d", fmtDims(dims), size, len(data))
	}
	if _, err := w.Write(hdr); err != nil {
		return errors.Wrap(err, "data: WriteIDX")
	}
	_, err := w.Write(data)
	return errors.Wrap(err, "data: WriteIDX")
}
