// libtorch's default random generator is process-wide: tests that seed it must not interleave, so the
// suite runs one test at a time (the 2-core CI machine gains little from parallel tests anyway).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
