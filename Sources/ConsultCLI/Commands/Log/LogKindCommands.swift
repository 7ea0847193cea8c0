import ArgumentParser

/// The `consult log <kind>` subcommands, one event from flags each.
public enum LogKindCommands {
    public static let all: [any ParsableCommand.Type] = [
        LogStakeholderCommand.self, LogChangeCommand.self, LogConsultationCommand.self, LogStatementCommand.self,
        LogRequestCommand.self, LogAnswerCommand.self, LogCommitmentCommand.self, LogRestatementCommand.self,
        LogProgressCommand.self, LogFollowUpCommand.self, LogCorrectionCommand.self, LogRetractionCommand.self,
    ]
}
