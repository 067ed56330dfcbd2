// Types for the matchers Testing.setupJest() installs (see setup.js).
import 'cdktf/lib/testing/adapters/jest';
