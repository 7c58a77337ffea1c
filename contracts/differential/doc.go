// Package differential checks commbench's verifier against Pact's reference verifier, the
// `pact verifier` of the npm package @pact-foundation/pact-cli-linux-x64@18.1.2 (installed by
// scripts/install-pact-cli.sh into .tools/pact/bin; env COMMBENCH_PACT_CLI names another binary).
//
// Everything lives in the test files. For every pact in testdata/pacts and in the shared real
// pacts (../shared/real-pacts, env COMMBENCH_SHARED), an in-process provider answers from the
// pact's own examples (HTTP responses, and messages through Pact's HTTP message mode), correctly
// and in broken variants (wrong status, renamed field, wrong type, missing headers, wrong
// content type); both verifiers verify it, one reference CLI process per pact file and variant,
// and must give the same verdict per interaction and the same set of mismatch paths. The table
// of both is printed with `go test -v ./contracts/differential`.
//
// Interactions the reference CLI cannot verify without plugins (gRPC, recorded by Pact's
// protobuf plugin) are listed as out of scope with the reason. Where the reference itself
// departs from the Pact specification, commbench follows the specification, and the test
// asserts the documented exception (see quirks in the test).
package differential
