package main

import (
	"github.com/spf13/cobra"

	"github.com/commbench/commbench/formats/confluent"
	"github.com/commbench/commbench/formats/convert"
)

// confluentFlags select the Confluent Schema Registry wire format for encode and decode
// (convert.Confluent).
type confluentFlags struct{ convert.Confluent }

func (cf *confluentFlags) register(cmd *cobra.Command, encode bool) {
	fl := cmd.Flags()
	fl.BoolVar(&cf.On, "confluent", false, "Confluent Schema Registry wire format: magic byte 0, schema id, payload (implied by --schema-id and --schema-registry)")
	fl.StringVar(&cf.Registry, "schema-registry", "", "Schema Registry URL (e.g. http://127.0.0.1:8081); basic auth from "+confluent.EnvUsername+"/"+confluent.EnvPassword)
	if encode {
		fl.IntVar(&cf.SchemaID, "schema-id", -1, "schema id to write in the header, with a local schema (--avsc or --proto/--message)")
		fl.StringVar(&cf.Subject, "subject", "", "with --schema-registry: the subject whose latest schema encodes (e.g. orders-value)")
	} else {
		fl.IntVar(&cf.SchemaID, "schema-id", -1, "with a local schema: the schema id the header must carry (default: any)")
	}
}

// active reports whether the wire format is selected, and sets the credentials' source.
func (cf *confluentFlags) active(a *app) bool {
	cf.Getenv = a.Getenv
	return cf.Active()
}
