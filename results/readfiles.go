package results

// ReadFiles reads the results files paths with ReadFile, in order; the first that cannot be read
// is the error.
func ReadFiles(paths ...string) ([]*File, error) {
	files := make([]*File, len(paths))
	for i, p := range paths {
		f, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		files[i] = f
	}
	return files, nil
}
