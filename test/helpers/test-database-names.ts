// The names of the PostgreSQL databases the tests make: ringcast_test_<run>_<random>, so that the run's global
// teardown (global-setup.ts) can find and drop the ones a test file left behind, and only this run's.
export const TEST_DATABASE_PREFIX = 'ringcast_test_';
