package tenant

// mergeMetadata applies the Management API's PATCH rule for app_metadata and user_metadata to the
// stored object and returns the result (nil: the metadata is gone):
//
//  1. top-level keys of patch are merged into stored;
//  2. a key whose value is an object replaces the stored value wholesale (no deep merge);
//  3. a key set to null deletes that key;
//  4. an empty patch ({}) or a null patch removes the metadata completely;
//  5. arrays are values: they replace the stored array;
//  6. nulls nested inside a replaced object are stored as sent.
//
// Metadata left empty by deletions is removed as well. stored is not modified.
func mergeMetadata(stored, patch map[string]any) map[string]any {
	if len(patch) == 0 {
		return nil
	}
	out := make(map[string]any, len(stored)+len(patch))
	for k, v := range stored {
		out[k] = v
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
