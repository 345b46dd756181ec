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
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if err != nil && len(head) < 2 {
		if err == io.EOF {
			return nil, errors.New("empty or truncated file: no IDX header")
		}
		return nil, errors.Wrap(err, "reading IDX header")
	}
	var src io.Reader = br
	if head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errors.Wrap(err, "corrupt gzip stream")
		}
		defer zr.Close()
		src = zr
	}
	return readIDX(src)
}

func readIDX(r io.Reader) (*IDX, error) {
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
	size := uint64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		dims[i] = int(d)
		size *= uint64(d)
		if size > maxIDXBytes {
			return nil, errors.Errorf("dimensions %v declare more than %d bytes of data", dimsUpTo(dimBytes, i), uint64(maxIDXBytes))
		}
	}
	// Grow with the data actually present rather than trusting the header for the allocation.
	var buf bytes.Buffer
	buf.Grow(int(min(size, 64<<20)) + 1)
	_, err := buf.ReadFrom(io.LimitReader(r, int64(size)+1))
	got := uint64(buf.Len())
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
	return &IDX{Magic: magic, Dims: dims, Data: buf.Bytes()[:size:size]}, nil
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
