package githubsim

func (s *Sim) controlRoutes() {}
