package solvers

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"os"
	"sort"
	"unsafe"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/internal/num"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/internal/fsx"
)

// stateMagic starts every state written by SaveState; stateVersion is the
// format version after it.
const (
	stateMagic   = "STHNSOLV"
	stateVersion = 2 // 2: the schedule's own position follows the parameters
)

// SaveState writes the full state of the solver: its kind, the number of
// completed steps (the schedule position), the base learning rate, and
// for every parameter seen so far (by name) its step count and state
// buffers (momentum, moments, accumulators), then the position of the
// schedules that have one (ReduceLROnPlateau). The format is binary: the
// magic "STHNSOLV", a uint32 version, the fields little-endian, and a
// CRC-32 of everything before it. Every parameter must have a distinct,
// non-empty name (gorgonia nodes have one when made WithName).
func (b *base) SaveState(w io.Writer) error {
	var all []*param
	for _, ps := range b.params {
		if ps.name == "" {
			return errors.Errorf("%s.SaveState: a parameter has no name; give every learnable node a name (gorgonia.WithName)", b.kind)
		}
		all = append(all, ps)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })

	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	var scratch [8]byte
	u32 := func(x uint32) { binary.LittleEndian.PutUint32(scratch[:4], x); bw.Write(scratch[:4]) }
	u64 := func(x uint64) { binary.LittleEndian.PutUint64(scratch[:], x); bw.Write(scratch[:]) }
	str := func(s string) { u32(uint32(len(s))); bw.WriteString(s) }

	bw.WriteString(stateMagic)
	u32(stateVersion)
	str(b.kind)
	u64(uint64(b.step))
	u64(math.Float64bits(b.cfg.lr))
	u32(uint32(len(all)))
	for _, ps := range all {
		str(ps.name)
		if ps.dtype == tensor.Float32 {
			bw.WriteByte(4)
		} else {
			bw.WriteByte(8)
		}
		u64(uint64(ps.step))
		u64(uint64(ps.n))
		u32(uint32(ps.nbufs()))
		if ps.dtype == tensor.Float32 {
			writeBufs(bw, bufsOf[float32](ps))
		} else {
			writeBufs(bw, bufsOf[float64](ps))
		}
	}
	sch := appendScheduleState(nil, b.cfg.schedule)
	u32(uint32(len(sch)))
	bw.Write(sch)
	if err := bw.Flush(); err != nil {
		return errors.Wrapf(err, "%s.SaveState", b.kind)
	}
	binary.LittleEndian.PutUint32(scratch[:4], crc.Sum32())
	if _, err := w.Write(scratch[:4]); err != nil {
		return errors.Wrapf(err, "%s.SaveState", b.kind)
	}
	return nil
}

// writeBufs writes every element of bufs, little-endian.
func writeBufs[T num.Float](w *bufio.Writer, bufs [][]T) {
	var scratch [8]byte
	for _, buf := range bufs {
		for _, x := range buf {
			if num.Is32[T]() {
				binary.LittleEndian.PutUint32(scratch[:4], math.Float32bits(float32(x)))
				w.Write(scratch[:4])
			} else {
				binary.LittleEndian.PutUint64(scratch[:], math.Float64bits(float64(x)))
				w.Write(scratch[:])
			}
		}
	}
}

// readBufs reads nb buffers of n elements written by writeBufs.
func readBufs[T num.Float](r *reader, nb, n int) [][]T {
	var z T
	size := uint64(unsafe.Sizeof(z))
	bufs := make([][]T, 0, nb)
	for k := 0; k < nb; k++ {
		raw := r.take(uint64(n) * size)
		if raw == nil {
			return nil
		}
		buf := make([]T, n)
		for j := range buf {
			if size == 4 {
				buf[j] = T(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:])))
			} else {
				buf[j] = T(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*j:])))
			}
		}
		bufs = append(bufs, buf)
	}
	return bufs
}

// reader decodes the state with bounds checks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errors.New("truncated state")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *reader) str() string { return string(r.take(uint64(r.u32()))) }

// LoadState replaces the solver's state with one written by SaveState of a
// solver of the same kind: step counts, buffers, schedule position and
// base learning rate. Parameters are matched by name at their next Step
// (their sizes and options must agree, else that Step returns an error);
// parameters absent from the state start afresh. A corrupt, truncated or
// mismatching input, or a saved learning rate that is not finite and ≥ 0,
// is an error and leaves the solver unchanged.
func (b *base) LoadState(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return errors.Wrapf(err, "%s.LoadState", b.kind)
	}
	if len(data) < len(stateMagic)+4+4 || string(data[:len(stateMagic)]) != stateMagic {
		return errors.Errorf("%s.LoadState: not a solver state (bad magic)", b.kind)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return errors.Errorf("%s.LoadState: checksum mismatch: state is corrupt or truncated", b.kind)
	}
	rd := &reader{b: body[len(stateMagic):]}
	version := rd.u32()
	if version != stateVersion && version != 1 {
		return errors.Errorf("%s.LoadState: unsupported state version %d (want %d)", b.kind, version, stateVersion)
	}
	if kind := rd.str(); rd.err == nil && kind != b.kind {
		return errors.Errorf("%s.LoadState: state was saved by a %s solver", b.kind, kind)
	}
	step := int64(rd.u64())
	lr := math.Float64frombits(rd.u64())
	if rd.err == nil {
		if err := checkLR(lr); err != nil {
			return errors.Wrapf(err, "%s.LoadState: the saved base", b.kind)
		}
	}
	np := rd.u32()
	params := make(map[key]*param)
	for i := uint32(0); i < np && rd.err == nil; i++ {
		ps := &param{name: rd.str()}
		size := rd.take(1)
		ps.step = int64(rd.u64())
		n := rd.u64()
		nb := rd.u32()
		if rd.err != nil {
			break
		}
		if size[0] != 4 && size[0] != 8 {
			return errors.Errorf("%s.LoadState: parameter %q: bad element size %d", b.kind, ps.name, size[0])
		}
		if step < 0 || ps.step < 0 || nb > 8 || n > math.MaxInt32 || n*uint64(nb)*uint64(size[0]) > uint64(len(rd.b)) {
			return errors.Errorf("%s.LoadState: parameter %q: implausible header (step %d, %d elements, %d buffers, %d bytes left)",
				b.kind, ps.name, ps.step, n, nb, len(rd.b))
		}
		if ps.name == "" || params[key{name: ps.name}] != nil {
			return errors.Errorf("%s.LoadState: empty or repeated parameter name %q", b.kind, ps.name)
		}
		ps.n = int(n)
		if size[0] == 4 {
			ps.dtype = tensor.Float32
			ps.bufs = readBufs[float32](rd, int(nb), ps.n)
		} else {
			ps.dtype = tensor.Float64
			ps.bufs = readBufs[float64](rd, int(nb), ps.n)
		}
		params[key{name: ps.name}] = ps
	}
	var sched []byte
	if version >= 2 {
		sched = rd.take(uint64(rd.u32()))
	}
	if rd.err != nil {
		return errors.Wrapf(rd.err, "%s.LoadState", b.kind)
	}
	if len(rd.b) != 0 {
		return errors.Errorf("%s.LoadState: %d unexpected trailing bytes", b.kind, len(rd.b))
	}
	installSchedule, err := loadScheduleState(b.cfg.schedule, sched, version < 2)
	if err != nil {
		return errors.Wrapf(err, "%s.LoadState", b.kind)
	}
	installSchedule()
	b.step = step
	b.cfg.lr = lr
	b.params = params
	return nil
}

// SaveStateFile writes s's state to path atomically and durably (internal/fsx): a crash
// never leaves a partial state file.
func SaveStateFile(s Solver, path string) error {
	return errors.Wrap(fsx.WriteFile(path, 0o644, s.SaveState), "SaveStateFile")
}

// LoadStateFile loads s's state from a file written by SaveStateFile (or
// SaveState). On error s is unchanged.
func LoadStateFile(s Solver, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return errors.Wrap(err, "LoadStateFile")
	}
	defer f.Close()
	if err := s.LoadState(f); err != nil {
		return errors.Wrapf(err, "LoadStateFile %s", path)
	}
	return nil
}
