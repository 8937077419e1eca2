package auth

// Verifies is how many passwords s's hasher has checked (argon2id runs).
func Verifies(s *Service) int64 { return s.hasher.verifies.Load() }

// BasicCacheLen is the number of remembered Basic credentials.
func BasicCacheLen(s *Service) int {
	if s.basic == nil {
		return 0
	}
	return s.basic.len()
}
