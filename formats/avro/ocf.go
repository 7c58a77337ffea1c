package avro

import (
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/golang/snappy"
	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/klauspost/compress/zstd"
)

// MaxOCFBlockBytes bounds one data block of an Object Container File, compressed and
// decompressed (16 MiB; writers use 16 KiB to 1 MiB blocks, Java's default is 64 KB). A larger
// block is an error, so a corrupt size or a compression bomb cannot exhaust memory.
const MaxOCFBlockBytes = 16 << 20

// maxEmptyValues bounds the values a block may claim beyond one per byte: only schemas whose
// datums take no bytes (null, records of nulls) need that, and a corrupt count must not make
// millions of nils out of a few bytes.
const maxEmptyValues = 4096

// containerConfig reads the container level: header values and blocks up to MaxOCFBlockBytes
// (hamba's default bound is 1 MiB). One frozen config, so hamba compiles the header decoder once.
var containerConfig = avro.Config{MaxByteSliceSize: MaxOCFBlockBytes}.Freeze()

// OCFReader reads the values of an Avro Object Container File (Avro 1.12 specification, "Object
// Container Files") one at a time, in the value model of this package's Codec (logical types,
// unions as T or null and {"typeName": value}), with the writer schema from the file's header.
// Compression codecs: null, deflate, snappy, zstandard.
//
// The header layout comes from hamba/avro's ocf package (ocf.HeaderSchema) and values are read
// with hamba's avro.Reader; ocf.Decoder itself is not used because it decodes into hamba's own
// Go types (time.Time, *big.Rat, ...) and allocates each block at the size the file claims.
//
// Memory is bounded by construction: the file is read as a stream, one block at a time, and a
// block may hold at most MaxOCFBlockBytes compressed and MaxOCFBlockBytes once decompressed (an
// error past it, so a compression bomb stops at the first oversized block); values are decoded
// one at a time by Next, so a caller that writes each value before asking for the next holds one
// block and one value, whatever the size of the file.
type OCFReader struct {
	schema   avro.Schema
	codec    ocf.CodecName
	meta     map[string][]byte
	sync     [16]byte
	file     *avro.Reader // container level, over the whole file
	block    *avro.Reader // over the current decompressed block
	zstd     *zstd.Decoder
	inflated bytes.Buffer // decompressed block, reused
	limit    int          // MaxOCFBlockBytes; smaller in fuzzing
	left     int64        // values left in the current block
	blockN   int          // current block, from 1
	valueN   int          // values read from the current block
	err      error        // sticky
}

// ocfReadBuffer is the read buffer over the file (blocks are read whole, up to MaxOCFBlockBytes).
const ocfReadBuffer = 64 << 10

// NewOCFReader parses the container header at the start of r; Next then reads r block by block.
// Errors: not an Avro container file (magic bytes), a truncated header, a missing or invalid
// avro.schema, an unknown codec, r's read errors.
func NewOCFReader(r io.Reader) (*OCFReader, error) {
	br := bufio.NewReaderSize(r, ocfReadBuffer)
	start, err := br.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read Avro container file: %w", err)
	}
	if magic := []byte("Obj\x01"); !bytes.Equal(start, magic) {
		return nil, fmt.Errorf("not an Avro container file: starts with %q, want %q", start, magic)
	}
	o := &OCFReader{
		limit: MaxOCFBlockBytes,
		file:  avro.NewReader(br, ocfReadBuffer, avro.WithReaderConfig(containerConfig)),
		block: avro.NewReader(nil, 0),
	}
	var h ocf.Header
	if err := readHeader(o.file, &h); err != nil {
		return nil, err
	}
	text, ok := h.Meta["avro.schema"]
	if !ok {
		return nil, errors.New("OCF header has no avro.schema")
	}
	if o.schema, err = headerSchema(string(text)); err != nil {
		return nil, fmt.Errorf("OCF header, avro.schema: %w", err)
	}
	o.codec = ocf.CodecName(h.Meta["avro.codec"])
	switch o.codec {
	case "", ocf.Null, ocf.Deflate, ocf.Snappy, ocf.ZStandard:
	default:
		return nil, fmt.Errorf("OCF header, avro.codec: unknown codec %q (want null, deflate, snappy or zstandard)", o.codec)
	}
	o.meta, o.sync = h.Meta, h.Sync
	return o, nil
}

// lastSchema memoizes the last header schema parsed: parsing costs more than reading a small
// file, and files of one data set share their schema. hamba's schemas are immutable.
var lastSchema atomic.Pointer[parsedSchema]

type parsedSchema struct {
	text   string
	schema avro.Schema
}

func headerSchema(text string) (avro.Schema, error) {
	if p := lastSchema.Load(); p != nil && p.text == text {
		return p.schema, nil
	}
	s, err := ParseSchema(text, nil)
	if err != nil {
		return nil, err
	}
	lastSchema.Store(&parsedSchema{text, s})
	return s, nil
}

// readHeader reads the header record with hamba's header schema; hamba panics on some garbage,
// reported as an error.
func readHeader(r *avro.Reader, h *ocf.Header) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("OCF header: malformed: %v", p)
		}
	}()
	r.ReadVal(ocf.HeaderSchema, h)
	if r.Error != nil {
		return fmt.Errorf("OCF header: truncated or malformed: %w", r.Error)
	}
	return nil
}

// Schema returns the writer schema from the file's header.
func (o *OCFReader) Schema() avro.Schema { return o.schema }

// Metadata returns the header's metadata (avro.schema, avro.codec and the writer's own keys).
func (o *OCFReader) Metadata() map[string][]byte { return o.meta }

// Next returns the next value, or io.EOF after the last one. Errors name the block and the
// value (`OCF block 2, value 7: ...`): a truncated block, a sync marker that differs from the
// header's, a block larger than MaxOCFBlockBytes, a datum that does not fit the schema, bytes
// left after a block's values. After an error, Next returns the same error.
func (o *OCFReader) Next() (any, error) {
	if o.err != nil {
		return nil, o.err
	}
	for o.left == 0 {
		if !trailing(o.file) {
			o.err = io.EOF
			return nil, io.EOF
		}
		if err := o.readBlock(); err != nil {
			o.err = err
			return nil, err
		}
	}
	v := decodeValue(o.block, o.schema, 0)
	o.valueN++
	if o.block.Error != nil {
		o.err = fmt.Errorf("OCF block %d, value %d: %w", o.blockN, o.valueN, o.block.Error)
		return nil, o.err
	}
	o.left--
	if o.left == 0 && trailing(o.block) {
		o.err = fmt.Errorf("OCF block %d: data left after its %d values", o.blockN, o.valueN)
		return nil, o.err
	}
	return v, nil
}

// readBlock reads the next block: value count, byte size, data, sync marker.
func (o *OCFReader) readBlock() error {
	o.blockN++
	o.valueN = 0
	count := o.file.ReadLong()
	data := o.file.ReadBytes()
	var sync [16]byte
	o.file.Read(sync[:])
	if o.file.Error != nil {
		return fmt.Errorf("OCF block %d: truncated or malformed: %w", o.blockN, o.file.Error)
	}
	if count < 0 {
		return fmt.Errorf("OCF block %d: negative value count %d", o.blockN, count)
	}
	if sync != o.sync {
		return fmt.Errorf("OCF block %d: sync marker differs from the header's (corrupt file)", o.blockN)
	}
	data, err := o.decompress(data)
	if err != nil {
		return fmt.Errorf("OCF block %d: %s: %w", o.blockN, o.codec, err)
	}
	if count > int64(max(len(data), maxEmptyValues)) {
		return fmt.Errorf("OCF block %d: %d values cannot fit in %d bytes", o.blockN, count, len(data))
	}
	o.left = count
	o.block.Reset(data)
	return nil
}

// decompress undoes the file's codec, never producing more than o.limit bytes.
func (o *OCFReader) decompress(b []byte) ([]byte, error) {
	switch o.codec {
	case ocf.Deflate:
		fr := flate.NewReader(bytes.NewReader(b))
		defer fr.Close()
		o.inflated.Reset()
		if _, err := o.inflated.ReadFrom(io.LimitReader(fr, int64(o.limit)+1)); err != nil {
			return nil, err
		}
		if o.inflated.Len() > o.limit {
			o.inflated = bytes.Buffer{} // do not keep the oversized buffer
			return nil, o.tooLarge()
		}
		return o.inflated.Bytes(), nil
	case ocf.Snappy:
		if len(b) < 5 {
			return nil, errors.New("block shorter than its CRC-32")
		}
		n, err := snappy.DecodedLen(b[:len(b)-4])
		if err != nil {
			return nil, err
		}
		if n > o.limit {
			return nil, o.tooLarge()
		}
		return (&ocf.SnappyCodec{}).Decode(b)
	case ocf.ZStandard:
		if o.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(o.limit)))
			if err != nil {
				return nil, err
			}
			o.zstd = d
		}
		return o.zstd.DecodeAll(b, nil)
	}
	return b, nil
}

func (o *OCFReader) tooLarge() error {
	return fmt.Errorf("decompressed block larger than %d bytes", o.limit)
}

// Close releases the zstandard decoder, if one was made. It never fails.
func (o *OCFReader) Close() error {
	if o.zstd != nil {
		o.zstd.Close()
		o.zstd = nil
	}
	return nil
}

// ReadOCF reads every value of the Avro Object Container File in r, with its writer schema
// (see OCFReader for the mapping and the errors). It holds every value: for files of any size,
// use OCFReader and handle each value as Next returns it.
func ReadOCF(r io.Reader) ([]any, avro.Schema, error) {
	o, err := NewOCFReader(r)
	if err != nil {
		return nil, nil, err
	}
	defer o.Close()
	var out []any
	for {
		v, err := o.Next()
		if errors.Is(err, io.EOF) {
			return out, o.schema, nil
		}
		if err != nil {
			return nil, nil, err
		}
		out = append(out, v)
	}
}

// WriteOCF writes values (value model) as an Avro Object Container File of c's schema to w with
// hamba/avro's ocf encoder; opts are hamba's (ocf.WithCodec, ocf.WithBlockLength, ...). The
// header carries the full schema (logical types and all). Errors: a value that does not fit the
// schema, named by its index and path (`value 2: items[0].qty: want int, got string "x"`); w's.
func WriteOCF(w io.Writer, c *Codec, values []any, opts ...ocf.EncoderFunc) error {
	opts = append([]ocf.EncoderFunc{ocf.WithSchemaMarshaler(ocf.FullSchemaMarshaler), ocf.WithEncoderSchemaCache(&avro.SchemaCache{})}, opts...)
	enc, err := ocf.NewEncoderWithSchema(c.Schema(), w, opts...)
	if err != nil {
		return err
	}
	for i, v := range values {
		datum, err := c.Encode(v)
		if err != nil {
			return fmt.Errorf("value %d: %w", i, err)
		}
		if _, err := enc.Write(datum); err != nil {
			return err
		}
	}
	return enc.Close()
}
