PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_requirements` (
	`scope` text DEFAULT 'shared' NOT NULL,
	`name` text NOT NULL,
	`spec` text NOT NULL,
	`installed_version` text,
	`installed_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `name`)
);
--> statement-breakpoint
INSERT INTO `__new_requirements`("scope", "name", "spec", "installed_version", "installed_at") SELECT 'shared', "name", "spec", "installed_version", "installed_at" FROM `requirements`;--> statement-breakpoint
DROP TABLE `requirements`;--> statement-breakpoint
ALTER TABLE `__new_requirements` RENAME TO `requirements`;--> statement-breakpoint
PRAGMA foreign_keys=ON;