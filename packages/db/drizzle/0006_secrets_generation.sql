-- A counter every write that can add, change or remove a stored secret moves (credential values,
-- profile key secrets): the server rebuilds its redactor when it changes, and reads one row to
-- know, instead of aggregating both tables on every log line and every run.
CREATE TABLE `secrets_generation` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`n` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `secrets_generation` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `credentials_secrets_insert` AFTER INSERT ON `credentials` BEGIN UPDATE `secrets_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `credentials_secrets_update` AFTER UPDATE OF `value` ON `credentials` BEGIN UPDATE `secrets_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `credentials_secrets_delete` AFTER DELETE ON `credentials` BEGIN UPDATE `secrets_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `profiles_secrets_insert` AFTER INSERT ON `profiles` BEGIN UPDATE `secrets_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `profiles_secrets_update` AFTER UPDATE OF `secret` ON `profiles` BEGIN UPDATE `secrets_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `profiles_secrets_delete` AFTER DELETE ON `profiles` BEGIN UPDATE `secrets_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
