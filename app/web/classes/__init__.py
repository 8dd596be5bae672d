"""Classes, as pages and as /api/v1: rosters (`roster`, `api_classes`), assigned quizzes and the
gradebook (`assignments`, `api_assignments`), and item analysis (`items`, `api_items`)."""
