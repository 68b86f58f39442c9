ALTER TABLE `credentials` ADD `created_by` text DEFAULT 'admin' NOT NULL;--> statement-breakpoint
ALTER TABLE `profiles` ADD `created_by` text DEFAULT 'admin' NOT NULL;