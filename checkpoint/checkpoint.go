package checkpoint

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/fsx"
	"github.com/stheno-ml/stheno/internal/jsonx"
	"github.com/stheno-ml/stheno/models"
)

// Names inside a checkpoint directory.
const (
	// PointerFile names the generation that is current. It is replaced atomically.
	PointerFile = "CHECKPOINT"
	// ManifestFile, inside a generation directory, lists the generation's files with their
	// sizes and SHA-256 and holds the metadata; it carries a SHA-256 of itself.
	ManifestFile = "MANIFEST.json"
	// WeightsFile and SolverFile are the names Save gives the model weights (safetensors) and
	// the solver state.
	WeightsFile = "model.safetensors"
	SolverFile  = "solver.state"

	genPrefix = "gen-"
	format    = "stheno-checkpoint"
	version   = 1
)

// DefaultKeep is the number of generations a Manager keeps unless WithKeep says otherwise.
const DefaultKeep = 2

// ErrNoCheckpoint is the cause of the error Latest and Restore return when the directory holds
// no intact generation.
var ErrNoCheckpoint = errors.New("no intact checkpoint")

// Stateful is what Save and Restore need from a solver: every solvers.Solver is one.
type Stateful interface {
	SaveState(w io.Writer) error
	LoadState(r io.Reader) error
}

// File is one file of a generation: its name inside the generation and the function that
// writes its content.
type File struct {
	Name  string
	Write func(w io.Writer) error
}

// Manager keeps the generations of one training run in a directory. Its zero value is not
// usable; make one with New. A Manager is not safe for concurrent use, and only one process
// may save into a directory at a time.
type Manager struct {
	dir  string
	keep int
	warn func(string)
	// fail, when set (tests), is called before every step of Save; an error aborts the save
	// there as a failing system call would.
	fail func(step string) error
}

// Option configures a Manager.
type Option func(*Manager) error

// WithKeep sets the number of generations kept (k ≥ 1, default DefaultKeep). Older ones are
// deleted after a new one has become current.
func WithKeep(k int) Option {
	return func(m *Manager) error {
		if k < 1 {
			return errors.Errorf("checkpoint: WithKeep(%d): want ≥ 1", k)
		}
		m.keep = k
		return nil
	}
}

// WithWarnings makes the Manager call f with every warning (a damaged generation skipped, the
// leftovers of an interrupted save removed) as well as recording it in Generation.Warnings.
func WithWarnings(f func(msg string)) Option {
	return func(m *Manager) error {
		m.warn = f
		return nil
	}
}

// New returns a Manager for dir, creating the directory if needed.
func New(dir string, opts ...Option) (*Manager, error) {
	m := &Manager{dir: dir, keep: DefaultKeep}
	for _, o := range opts {
		if err := o(m); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	}
	return m, nil
}

// Dir returns the directory the Manager works in.
func (m *Manager) Dir() string { return m.dir }

// Generation is one verified generation.
type Generation struct {
	Seq      int64           // generation number, increasing with every Save
	Dir      string          // the directory holding its files
	Created  time.Time       // when it was saved
	Meta     json.RawMessage // the metadata given to Save
	Files    []string        // names of its files
	Warnings []string        // what was found damaged or cleaned up on the way to it
}

// Path returns the path of the generation's file name.
func (g *Generation) Path(name string) string { return filepath.Join(g.Dir, name) }

// Open opens the generation's file name (verified when the Generation was returned).
func (g *Generation) Open(name string) (*os.File, error) {
	f, err := os.Open(g.Path(name))
	return f, errors.Wrap(err, "checkpoint")
}

// DecodeMeta decodes the generation's metadata into v, rejecting unknown fields.
func (g *Generation) DecodeMeta(v any) error {
	dec := json.NewDecoder(bytes.NewReader(g.Meta))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.Wrapf(err, "checkpoint: metadata of %s", g.Dir)
	}
	return nil
}

// pointer is the content of PointerFile.
type pointer struct {
	Format         string `json:"format"`
	Version        int    `json:"version"`
	Generation     int64  `json:"generation"`
	Dir            string `json:"dir"`
	ManifestSHA256 string `json:"manifest_sha256"`
}

// manifest is what ManifestFile records about a generation.
type manifest struct {
	Format     string          `json:"format"`
	Version    int             `json:"version"`
	Generation int64           `json:"generation"`
	Created    time.Time       `json:"created"`
	Files      []fileEntry     `json:"files"`
	Meta       json.RawMessage `json:"meta"`
}

type fileEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// sealed is the on-disk form of a manifest: the manifest's exact bytes and their SHA-256.
type sealed struct {
	SHA256   string          `json:"sha256"`
	Manifest json.RawMessage `json:"manifest"`
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

func genName(seq int64) string { return fmt.Sprintf("%s%08d", genPrefix, seq) }

// parseGen returns the sequence number of a generation directory name.
func parseGen(name string) (int64, bool) {
	if !strings.HasPrefix(name, genPrefix) {
		return 0, false
	}
	digits := name[len(genPrefix):]
	if len(digits) < 8 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil && n > 0 && genName(n) == name
}

// encodeManifest seals mf.
func encodeManifest(mf *manifest) ([]byte, error) {
	body, err := json.Marshal(mf)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	out, err := json.MarshalIndent(sealed{SHA256: hex.EncodeToString(sum[:]), Manifest: body}, "", "  ")
	return append(out, '\n'), err
}

// decodeManifest checks the seal and the fields of a manifest file's content.
func decodeManifest(b []byte) (*manifest, error) {
	var s sealed
	if err := jsonx.DecodeStrict(b, &s); err != nil {
		return nil, errors.Wrap(err, "not a manifest")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, s.Manifest); err != nil {
		return nil, errors.Wrap(err, "not a manifest")
	}
	sum := sha256.Sum256(compact.Bytes())
	if got := hex.EncodeToString(sum[:]); got != s.SHA256 {
		return nil, errors.Errorf("manifest checksum mismatch (SHA-256 %.12s, recorded %.12s)", got, s.SHA256)
	}
	var mf manifest
	if err := jsonx.DecodeStrict(s.Manifest, &mf); err != nil {
		return nil, errors.Wrap(err, "manifest")
	}
	if mf.Format != format || mf.Version != version {
		return nil, errors.Errorf("manifest format %q version %d, want %q version %d", mf.Format, mf.Version, format, version)
	}
	if mf.Generation < 1 {
		return nil, errors.Errorf("manifest generation %d", mf.Generation)
	}
	seen := map[string]bool{}
	for _, f := range mf.Files {
		if !validName.MatchString(f.Name) || f.Name == ManifestFile || seen[f.Name] {
			return nil, errors.Errorf("manifest lists a bad or repeated file name %q", f.Name)
		}
		seen[f.Name] = true
		if f.Size < 0 || len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
			return nil, errors.Errorf("manifest entry %q: size %d, SHA-256 %q", f.Name, f.Size, f.SHA256)
		}
	}
	if len(mf.Meta) == 0 || !json.Valid(mf.Meta) {
		return nil, errors.New("manifest metadata is not JSON")
	}
	return &mf, nil
}

// warnf records a warning.
func (m *Manager) warnf(ws *[]string, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	*ws = append(*ws, msg)
	if m.warn != nil {
		m.warn(msg)
	}
}

func (m *Manager) step(name string) error {
	if m.fail != nil {
		if err := m.fail(name); err != nil {
			return errors.Wrapf(err, "checkpoint: %s", name)
		}
	}
	return nil
}

// readPointer returns the current pointer, or nil if there is none or it is unreadable (then
// the reason is in err).
func (m *Manager) readPointer() (*pointer, error) {
	b, err := os.ReadFile(filepath.Join(m.dir, PointerFile))
	if err != nil {
		return nil, err
	}
	var p pointer
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, errors.Wrap(err, "unreadable")
	}
	if p.Format != format || p.Version != version || p.Generation < 1 || p.Dir != genName(p.Generation) {
		return nil, errors.Errorf("unexpected content (format %q, version %d, generation %d, dir %q)", p.Format, p.Version, p.Generation, p.Dir)
	}
	return &p, nil
}

// generations returns the sequence numbers of the generation directories, newest first.
func (m *Manager) generations() ([]int64, error) {
	ents, err := os.ReadDir(m.dir)
	if err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	}
	var seqs []int64
	for _, e := range ents {
		if n, ok := parseGen(e.Name()); ok && e.IsDir() {
			seqs = append(seqs, n)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] > seqs[j] })
	return seqs, nil
}

// verify checks generation seq completely: the manifest's seal and generation number, and
// every file's size and SHA-256. wantManifest, if not empty, is the manifest's SHA-256 the
// pointer recorded.
func (m *Manager) verify(seq int64, wantManifest string) (*Generation, error) {
	dir := filepath.Join(m.dir, genName(seq))
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	if wantManifest != "" {
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != wantManifest {
			return nil, errors.Errorf("%s does not match the SHA-256 recorded in %s", ManifestFile, PointerFile)
		}
	}
	mf, err := decodeManifest(b)
	if err != nil {
		return nil, errors.Wrap(err, ManifestFile)
	}
	if mf.Generation != seq {
		return nil, errors.Errorf("%s says generation %d", ManifestFile, mf.Generation)
	}
	g := &Generation{Seq: seq, Dir: dir, Created: mf.Created, Meta: mf.Meta}
	for _, fe := range mf.Files {
		got, size, err := hashFile(filepath.Join(dir, fe.Name))
		if err != nil {
			return nil, err
		}
		if size != fe.Size || got != fe.SHA256 {
			return nil, errors.Errorf("%s: %d bytes with SHA-256 %.12s, the manifest records %d bytes with SHA-256 %.12s",
				fe.Name, size, got, fe.Size, fe.SHA256)
		}
		g.Files = append(g.Files, fe.Name)
	}
	return g, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Latest returns the newest intact generation: the one PointerFile names if it verifies, else
// (with a warning naming what is damaged) the newest older one that does. It removes the
// leftovers of an interrupted Save (generations newer than the current one, temporary files).
// The error's cause is ErrNoCheckpoint when no generation is intact.
func (m *Manager) Latest() (*Generation, error) {
	var warns []string
	g, err := m.latest(&warns)
	if err != nil {
		return nil, err
	}
	g.Warnings = warns
	return g, nil
}

func (m *Manager) latest(warns *[]string) (*Generation, error) {
	seqs, err := m.generations()
	if err != nil {
		return nil, err
	}
	p, perr := m.readPointer()
	var candidates []int64
	want := map[int64]string{}
	switch {
	case p != nil:
		// Generations newer than the current one are an interrupted Save's: remove them.
		for _, s := range seqs {
			if s > p.Generation {
				if err := os.RemoveAll(filepath.Join(m.dir, genName(s))); err != nil {
					return nil, errors.Wrap(err, "checkpoint: removing the leftovers of an interrupted save")
				}
				m.warnf(warns, "checkpoint: removed %s, left by an interrupted save", filepath.Join(m.dir, genName(s)))
			} else {
				candidates = append(candidates, s)
			}
		}
		if len(candidates) == 0 || candidates[0] != p.Generation {
			candidates = append([]int64{p.Generation}, candidates...)
		}
		want[p.Generation] = p.ManifestSHA256
	case os.IsNotExist(perr):
		// No generation was ever made current (or the pointer was deleted). A generation
		// without a manifest can only be an interrupted save's: the manifest is written
		// before anything refers to it.
		for _, s := range seqs {
			gd := filepath.Join(m.dir, genName(s))
			if _, err := os.Lstat(filepath.Join(gd, ManifestFile)); os.IsNotExist(err) {
				if err := os.RemoveAll(gd); err != nil {
					return nil, errors.Wrap(err, "checkpoint: removing the leftovers of an interrupted save")
				}
				m.warnf(warns, "checkpoint: removed %s, left by an interrupted save", gd)
				continue
			}
			candidates = append(candidates, s)
		}
		if len(candidates) > 0 {
			m.warnf(warns, "checkpoint: %s has generations but no %s; trying them newest first", m.dir, PointerFile)
		}
	default:
		candidates = seqs
		m.warnf(warns, "checkpoint: %s is damaged (%v); trying the generations newest first", filepath.Join(m.dir, PointerFile), perr)
	}
	if temps, err := fsx.RemoveTemps(m.dir); err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	} else if len(temps) > 0 {
		m.warnf(warns, "checkpoint: removed temporary files %s, left by an interrupted save", strings.Join(temps, ", "))
	}
	for _, s := range candidates {
		g, err := m.verify(s, want[s])
		if err == nil {
			return g, nil
		}
		m.warnf(warns, "checkpoint: generation %d (%s) is damaged: %v; falling back to an older one", s, filepath.Join(m.dir, genName(s)), err)
	}
	if len(candidates) == 0 {
		return nil, errors.Wrapf(ErrNoCheckpoint, "checkpoint: %s holds no generation", m.dir)
	}
	return nil, errors.Wrapf(ErrNoCheckpoint, "checkpoint: %s: every generation is damaged (%s)", m.dir, strings.Join(*warns, "; "))
}

// Exists reports whether dir holds a checkpoint (a pointer or a generation directory), intact
// or not.
func Exists(dir string) (bool, error) {
	m := &Manager{dir: dir}
	seqs, err := m.generations()
	if err != nil {
		if os.IsNotExist(errors.Cause(err)) {
			return false, nil
		}
		return false, err
	}
	if len(seqs) > 0 {
		return true, nil
	}
	_, err = os.Lstat(filepath.Join(dir, PointerFile))
	return err == nil, nil
}

// Discard deletes every generation in dir and the pointer, the pointer first so that an
// interruption part-way leaves nothing that looks current. Other files in dir are left alone.
func Discard(dir string) error {
	if err := os.Remove(filepath.Join(dir, PointerFile)); err != nil && !os.IsNotExist(err) {
		return errors.Wrap(err, "checkpoint: Discard")
	}
	m := &Manager{dir: dir}
	seqs, err := m.generations()
	if err != nil {
		return err
	}
	for _, s := range seqs {
		if err := os.RemoveAll(filepath.Join(dir, genName(s))); err != nil {
			return errors.Wrap(err, "checkpoint: Discard")
		}
	}
	if _, err := fsx.RemoveTemps(dir); err != nil {
		return err
	}
	return fsx.SyncDir(dir)
}

// Save writes files and meta (marshalled as JSON) as a new generation and makes it current:
// each file is written into a new generation directory and fsynced, then the manifest with
// every file's size and SHA-256, then the directories are fsynced and PointerFile is replaced
// atomically. Only then are generations beyond the newest Keep deleted. A crash at any point
// leaves the previous generation current and intact; an error leaves it current and removes
// what the failed save wrote.
func (m *Manager) Save(meta any, files ...File) (*Generation, error) {
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return nil, errors.Wrap(err, "checkpoint: metadata")
	}
	seen := map[string]bool{}
	for _, f := range files {
		if !validName.MatchString(f.Name) || f.Name == ManifestFile || seen[f.Name] || f.Write == nil {
			return nil, errors.Errorf("checkpoint: bad or repeated file name %q (or nil Write)", f.Name)
		}
		seen[f.Name] = true
	}
	if err := m.step("begin"); err != nil {
		return nil, err
	}
	// Clear an interrupted save's leftovers first and number the new generation after every
	// directory present, so it never reuses a name.
	var warns []string
	p, _ := m.readPointer()
	seqs, err := m.generations()
	if err != nil {
		return nil, err
	}
	next := int64(1)
	if len(seqs) > 0 {
		next = seqs[0] + 1
	}
	if p != nil {
		for _, s := range seqs {
			if s > p.Generation {
				if err := os.RemoveAll(filepath.Join(m.dir, genName(s))); err != nil {
					return nil, errors.Wrap(err, "checkpoint: removing the leftovers of an interrupted save")
				}
				m.warnf(&warns, "checkpoint: removed %s, left by an interrupted save", filepath.Join(m.dir, genName(s)))
			}
		}
		next = max(next, p.Generation+1)
	}
	if _, err := fsx.RemoveTemps(m.dir); err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	}

	dir := filepath.Join(m.dir, genName(next))
	g, err := m.write(next, dir, metaJSON, files)
	if err != nil {
		// Remove what was written, unless the pointer already names it (the rename of the
		// pointer succeeded and only a later fsync failed).
		if p, _ := m.readPointer(); p == nil || p.Generation != next {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	g.Warnings = warns
	m.prune(next, &g.Warnings)
	return g, nil
}

// write writes generation seq into dir and switches the pointer to it.
func (m *Manager) write(seq int64, dir string, meta []byte, files []File) (*Generation, error) {
	if err := m.step("mkdir"); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	}
	mf := &manifest{Format: format, Version: version, Generation: seq, Created: time.Now().UTC().Round(time.Millisecond), Meta: meta}
	for _, f := range files {
		fe, err := m.writeFile(dir, f)
		if err != nil {
			return nil, err
		}
		mf.Files = append(mf.Files, fe)
	}
	body, err := encodeManifest(mf)
	if err != nil {
		return nil, errors.Wrap(err, "checkpoint: manifest")
	}
	if _, err := m.writeFile(dir, File{Name: ManifestFile, Write: func(w io.Writer) error { _, err := w.Write(body); return err }}); err != nil {
		return nil, err
	}
	if err := m.step("sync " + genName(seq)); err != nil {
		return nil, err
	}
	if err := fsx.SyncDir(dir); err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	}
	if err := m.step("sync dir"); err != nil {
		return nil, err
	}
	if err := fsx.SyncDir(m.dir); err != nil {
		return nil, errors.Wrap(err, "checkpoint")
	}
	if err := m.step("pointer"); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	pb, _ := json.MarshalIndent(pointer{Format: format, Version: version, Generation: seq, Dir: genName(seq), ManifestSHA256: hex.EncodeToString(sum[:])}, "", "  ")
	if err := fsx.WriteFileBytes(filepath.Join(m.dir, PointerFile), 0o644, append(pb, '\n')); err != nil {
		return nil, errors.Wrap(err, "checkpoint: switching to the new generation")
	}
	g := &Generation{Seq: seq, Dir: dir, Created: mf.Created, Meta: meta}
	for _, fe := range mf.Files {
		g.Files = append(g.Files, fe.Name)
	}
	return g, nil
}

// writeFile writes one file of a new generation and fsyncs it, hashing it on the way.
func (m *Manager) writeFile(dir string, f File) (fileEntry, error) {
	if err := m.step("create " + f.Name); err != nil {
		return fileEntry{}, err
	}
	path := filepath.Join(dir, f.Name)
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fileEntry{}, errors.Wrap(err, "checkpoint")
	}
	defer out.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(out, h)}
	bw := bufio.NewWriterSize(cw, 1<<16)
	if err := f.Write(bw); err != nil {
		return fileEntry{}, errors.Wrapf(err, "checkpoint: writing %s", path)
	}
	if err := bw.Flush(); err != nil {
		return fileEntry{}, errors.Wrapf(err, "checkpoint: writing %s", path)
	}
	if err := m.step("sync " + f.Name); err != nil {
		return fileEntry{}, err
	}
	if err := out.Sync(); err != nil {
		return fileEntry{}, errors.Wrapf(err, "checkpoint: fsync %s", path)
	}
	if err := out.Close(); err != nil {
		return fileEntry{}, errors.Wrapf(err, "checkpoint: writing %s", path)
	}
	return fileEntry{Name: f.Name, Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// prune deletes the generations beyond the newest Keep that verify (damaged ones older than
// the newest kept are deleted too), after the switch to generation cur. Failures are warnings:
// the new generation is already current.
func (m *Manager) prune(cur int64, warns *[]string) {
	seqs, err := m.generations()
	if err != nil {
		m.warnf(warns, "checkpoint: listing old generations: %v", err)
		return
	}
	kept := 0
	for _, s := range seqs {
		if s > cur {
			continue
		}
		if s == cur || (kept < m.keep && m.verifyQuiet(s)) {
			kept++
			continue
		}
		if err := m.step("remove " + genName(s)); err != nil {
			m.warnf(warns, "%v", err)
			return
		}
		if err := os.RemoveAll(filepath.Join(m.dir, genName(s))); err != nil {
			m.warnf(warns, "checkpoint: removing %s: %v", genName(s), err)
		}
	}
	if err := fsx.SyncDir(m.dir); err != nil {
		m.warnf(warns, "checkpoint: %v", err)
	}
}

func (m *Manager) verifyQuiet(seq int64) bool {
	_, err := m.verify(seq, "")
	return err == nil
}

// SaveTraining saves the weights of store (WeightsFile, safetensors with PyTorch names), the
// state of solver (SolverFile) and meta as a new generation.
func (m *Manager) SaveTraining(store *graph.Store, solver Stateful, meta any) (*Generation, error) {
	return m.Save(meta,
		File{Name: WeightsFile, Write: func(w io.Writer) error { return models.Write(w, store) }},
		File{Name: SolverFile, Write: solver.SaveState})
}

// Restore loads the newest intact generation (see Latest) saved by SaveTraining into store and
// solver and returns it; decode its metadata with DecodeMeta. On error store and solver are
// unchanged where models.Read and LoadState guarantee it (a mismatching model or solver is an
// error, not a reason to fall back).
func (m *Manager) Restore(store *graph.Store, solver Stateful) (*Generation, error) {
	g, err := m.Latest()
	if err != nil {
		return nil, err
	}
	if err := loadFile(g, WeightsFile, func(r io.Reader) error { return models.Read(r, store) }); err != nil {
		return g, err
	}
	if err := loadFile(g, SolverFile, solver.LoadState); err != nil {
		return g, err
	}
	return g, nil
}

func loadFile(g *Generation, name string, load func(io.Reader) error) error {
	f, err := g.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return errors.Wrapf(load(f), "checkpoint: restoring %s", g.Path(name))
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
