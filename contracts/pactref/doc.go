// Package pactref checks commbench's Pact matcher against the reference implementation,
// pact-go v2 (github.com/pact-foundation/pact-go/v2, linking libpact_ffi 0.4.28).
//
// Everything lives in test files behind the `pact` build tag, so cgo and the native library
// stay out of commbench's other packages:
//
//   - fixtures: HTTP (V3, V4) and asynchronous message (V4) interactions written with pact-go's
//     consumer DSL into testdata/pacts/reference (regenerate with
//     `go test -tags pact ./contracts/pactref -run TestGenerate -regenerate`);
//   - providers: in-process HTTP providers (httptest) and message producers, one correct variant
//     and deliberately broken ones (wrong type, missing field, extra array item, wrong status,
//     wrong header, ...);
//   - the reference check: pact-go's provider Verifier and commbench's matcher judge every
//     (interaction, provider variant) pair, and the verdicts must agree.
//
// Run it with `make test` or, by hand, with libpact_ffi on the linker and loader paths:
//
//	export CGO_LDFLAGS=-L$PWD/.tools/pact/lib LD_LIBRARY_PATH=$PWD/.tools/pact/lib PACT_DO_NOT_TRACK=true
//	go test -tags pact ./contracts/pactref
package pactref
