package convert

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/commbench/commbench/formats/avro"
	"github.com/commbench/commbench/internal/exitcode"
)

// OpenOCF reads the header of the Avro Object Container File in (named input in errors, see
// InputName): the writer schema comes from it. A header that does not decode is ErrInvalid.
func OpenOCF(in io.Reader, input string) (*avro.OCFReader, error) {
	o, err := avro.NewOCFReader(in)
	if err != nil {
		return nil, exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", InputName(input), err))
	}
	return o, nil
}

// WriteOCFLines writes the values of o (opened by OpenOCF from input) to out as JSON lines
// (NewJSONLines), each as it is decoded: memory holds one block and one value, whatever the
// size of the file (avro.OCFReader). A value that does not decode is ErrInvalid; the values
// before it are written. It closes o.
func WriteOCFLines(o *avro.OCFReader, out io.Writer, input string, pretty bool) error {
	defer o.Close()
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := NewJSONLines(bw, pretty)
	for {
		v, err := o.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = bw.Flush() // the values before the bad one are written
			return exitcode.New(exitcode.Usage, fmt.Errorf("%s: %w", InputName(input), err))
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return bw.Flush()
}
